{{%AUTOESCAPE context="HTML"}}
{{!-- post: GET /<id>/ -- the post, the comment form, its comments oldest first. --}}
<article class="post">
{{#DRAFT}}<p class="draft" role="status">Draft: only signed-in authors can see this post.</p>{{/DRAFT}}
<span class="post-id">#{{ID}}</span>
<h1>{{TITLE}}</h1>
<p class="byline">{{#BY}}By {{AUTHOR}} &middot; {{/BY}}{{#DATED}}<time datetime="{{PUBLISHED_ISO}}">{{PUBLISHED_TEXT}}</time>{{/DATED}}{{#UNDATED}}not published{{/UNDATED}}{{#CAN_EDIT}} &middot; <a href="/admin/posts/{{ID}}/edit">Edit</a>{{/CAN_EDIT}}</p>
{{!-- BODY is the HTML cmark made of the post's Markdown in its safe mode when the post was
      saved (view/markdown.h): the one value not escaped here, because it is HTML already. --}}
<div class="prose">{{BODY:none}}</div>
</article>
<section class="comments">
<h2>Comments</h2>
{{#OPEN}}
<form class="comment-form" method="post" action="/{{ID}}/">
{{#PROBLEM}}<p class="problem" role="alert">{{PROBLEM_TEXT}}</p>{{/PROBLEM}}
<input type="hidden" name="csrf" value="{{CSRF}}">
<textarea name="content" placeholder="Comment" rows="4" required>{{DRAFT_TEXT:pre_escape}}</textarea>
<input type="text" name="name" placeholder="Name (optional)" maxlength="50" autocomplete="nickname" value="{{DRAFT_NAME}}">
{{!-- A field people never see or fill: a form that fills it is a robot's (422). --}}
<div class="hp" aria-hidden="true"><label for="website">Leave this empty</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">Add comment</button>
</form>
{{/OPEN}}
{{#COMMENT}}
<div class="comment{{#HELD}} held{{/HELD}}" id="c{{ID}}">
<p class="comment-meta"><span class="comment-id">#{{ID}}</span> <span class="comment-name">{{NAME}}</span> <time datetime="{{CREATED_ISO}}">{{CREATED_TEXT}}</time>{{#HELD}} <span class="awaiting">awaiting moderation</span>{{/HELD}}</p>
<p class="text">{{CONTENT:pre_escape}}</p>
{{#DELETE}}{{>BUTTON}}{{/DELETE}}
{{!-- comment_delete = owner: where the writer's browser gets its button, after the cache. --}}
{{#OWN_SLOT}}<!--own:{{ID}}-->{{/OWN_SLOT}}
</div>
{{/COMMENT}}
{{>PAGER}}
</section>
