{{%AUTOESCAPE context="HTML"}}
{{!-- admin_comments: GET /admin/comments -- held comments first, then every comment, newest
      first, each with Approve (held ones) and Delete. --}}
<h1>Comments</h1>
{{#MODERATED}}
<h2>Awaiting moderation</h2>
{{#HELD_COMMENT}}{{>HELD_ROW}}{{/HELD_COMMENT}}
{{#NO_HELD}}<p class="empty">Nothing awaits moderation.</p>{{/NO_HELD}}
<h2>All comments</h2>
{{/MODERATED}}
{{#COMMENT}}{{>ROW}}{{/COMMENT}}
{{#NO_COMMENTS}}<p class="empty">No comments yet.</p>{{/NO_COMMENTS}}
{{#NOTHING_HERE}}<p class="empty">Nothing here: this page is past the end of the list.</p>{{/NOTHING_HERE}}
{{>PAGER}}
