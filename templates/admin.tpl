{{%AUTOESCAPE context="HTML"}}
{{!-- admin: GET /admin/ -- every post (drafts too), newest first, and the latest comments. --}}
<div class="admin-head">
<h1>Admin</h1>
<a class="button" href="/admin/posts/new">New post</a>
</div>
<h2>Posts</h2>
{{#HAS_POSTS}}
<table class="admin-posts">
<thead><tr><th>#</th><th>Title</th><th>Status</th><th>Updated</th><th><span class="sr-only">Actions</span></th></tr></thead>
<tbody>
{{#POST}}
<tr>
<td class="post-id">{{ID}}</td>
<td><a href="/{{ID}}/">{{TITLE}}</a>{{#BY}}<span class="by"> by {{AUTHOR}}</span>{{/BY}}</td>
<td>{{#IS_DRAFT}}<span class="draft">Draft</span>{{/IS_DRAFT}}{{#IS_PUBLISHED}}<span class="published">Published</span>{{/IS_PUBLISHED}}</td>
<td><time datetime="{{UPDATED_ISO}}">{{UPDATED_TEXT}}</time></td>
<td class="row-actions">
<a href="/admin/posts/{{ID}}/edit">Edit</a>
<form method="post" action="/admin/posts/{{ID}}/delete" data-confirm="Delete this post and its comments?">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit" class="danger">Delete</button>
</form>
</td>
</tr>
{{/POST}}
</tbody>
</table>
{{/HAS_POSTS}}
{{#NO_POSTS}}<p class="empty">No posts yet: write the first one.</p>{{/NO_POSTS}}
{{#NOTHING_HERE}}<p class="empty">Nothing here: this page is past the end of the list.</p>{{/NOTHING_HERE}}
{{>PAGER}}
<h2>Latest comments <a class="more" href="/admin/comments">all comments, moderation</a></h2>
{{#COMMENT}}{{>ROW}}{{/COMMENT}}
{{#NO_COMMENTS}}<p class="empty">No comments yet.</p>{{/NO_COMMENTS}}
