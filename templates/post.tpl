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
<button type="submit">Add comment</button>
</form>
{{/OPEN}}
{{#COMMENT}}
<div class="comment" id="c{{ID}}">
<span class="comment-id">#{{ID}}</span>
<p class="text">{{CONTENT:pre_escape}}</p>
<form method="post" action="/comments/{{ID}}/delete" data-confirm="Are you sure you want to delete this entry?">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit" class="danger">Delete Comment</button>
</form>
</div>
{{/COMMENT}}
{{>PAGER}}
</section>
