{{%AUTOESCAPE context="HTML"}}
{{!-- editor: /admin/posts/new and /admin/posts/<id>/edit -- a post's title, Markdown and status. --}}
<h1>{{HEADING}}</h1>
<form class="stacked editor" method="post" action="{{ACTION}}">
{{#PROBLEM}}<p class="problem" role="alert">{{PROBLEM_TEXT}}</p>{{/PROBLEM}}
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#VERSIONED}}<input type="hidden" name="version" value="{{VERSION}}">{{/VERSIONED}}
<label for="title">Title</label>
<input id="title" name="title" type="text" value="{{POST_TITLE}}" required>
<label for="content">Text <span class="hint">Markdown: **bold**, _italic_, # headings, - lists, [links](https://example.org)</span></label>
<textarea id="content" name="content" rows="16" required>{{CONTENT:pre_escape}}</textarea>
<label for="status">Status</label>
<select id="status" name="status">
<option value="draft"{{#IS_DRAFT}} selected{{/IS_DRAFT}}>Draft (only authors see it)</option>
<option value="published"{{#IS_PUBLISHED}} selected{{/IS_PUBLISHED}}>Published</option>
</select>
<div class="actions"><button type="submit">Save</button><a href="{{CANCEL}}">Cancel</a></div>
</form>
{{#NEWER}}
<section class="newer">
<h2>Saved meanwhile by someone else</h2>
<p>Your text is in the form above, not saved. This is the post as it is now; merge what you need and save again.</p>
<p class="newer-title">{{NEWER_TITLE}}</p>
<pre class="newer-text">{{NEWER_CONTENT}}</pre>
</section>
{{/NEWER}}
