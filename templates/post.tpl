{{%AUTOESCAPE context="HTML"}}
{{!-- post: GET /<id>/ -- the post, the comment form, its comments oldest first. --}}
<article class="post">
<span class="post-id">#{{ID}}</span>
<h1>{{TITLE}}</h1>
<p class="text">{{CONTENT:pre_escape}}</p>
</article>
<section class="comments">
<h2>Comments</h2>
<form class="comment-form" method="post" action="/{{ID}}/">
{{#PROBLEM}}<p class="problem" role="alert">{{PROBLEM_TEXT}}</p>{{/PROBLEM}}
<input type="hidden" name="csrf" value="{{CSRF}}">
<textarea name="content" placeholder="Comment" rows="4" required>{{DRAFT:pre_escape}}</textarea>
<button type="submit">Add comment</button>
</form>
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
