{{%AUTOESCAPE context="HTML"}}
{{!-- admin_comment: one comment in the admin's lists, with Approve (if held) and Delete. --}}
<div class="comment{{#HELD}} held{{/HELD}}" id="c{{ID}}">
<p class="comment-meta"><span class="comment-id">(#{{ID}})</span> <span class="comment-name">{{NAME}}</span> <time datetime="{{CREATED_ISO}}">{{CREATED_TEXT}}</time>{{#HELD}} <span class="awaiting">awaiting moderation</span>{{/HELD}}</p>
<p class="text">{{CONTENT:pre_escape}}</p>
<p class="on">On <a href="/{{POST_ID}}/#c{{ID}}">{{POST_TITLE}}</a></p>
<div class="row-actions left">
{{#HELD}}<form method="post" action="/admin/comments/{{ID}}/approve">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit">Approve</button>
</form>{{/HELD}}
<form method="post" action="/comments/{{ID}}/delete" data-confirm="Are you sure you want to delete this entry?">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="next" value="/admin/comments">
<button type="submit" class="danger">Delete</button>
</form>
</div>
</div>
