{{%AUTOESCAPE context="HTML"}}
{{!-- comments: GET /comments/ -- every comment, newest first, with its post. --}}
<h1>Latest Comments</h1>
{{#COMMENT}}
<div class="comment">
<p class="comment-meta"><span class="comment-id">(#{{ID}})</span> <span class="comment-name">{{NAME}}</span> <time datetime="{{CREATED_ISO}}">{{CREATED_TEXT}}</time></p>
<p class="text">{{CONTENT:pre_escape}}</p>
<p class="on">On <a href="/{{POST_ID}}/">{{POST_TITLE}}</a></p>
</div>
{{/COMMENT}}
{{#NO_COMMENTS}}<p class="empty">No comments yet.</p>{{/NO_COMMENTS}}
{{#NOTHING_HERE}}<p class="empty">Nothing here: this page is past the end of the list.</p>{{/NOTHING_HERE}}
{{>PAGER}}
