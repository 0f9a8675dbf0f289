{{%AUTOESCAPE context="HTML"}}
{{!-- index: GET / -- every post, oldest first. --}}
<h1>Posts</h1>
{{#POST}}
<article class="post">
<span class="post-id">#{{ID}}</span>
<h2><a href="/{{ID}}/">{{TITLE}}</a></h2>
<p class="text">{{CONTENT:pre_escape}}</p>
</article>
{{/POST}}
{{#NO_POSTS}}<p class="empty">No posts yet.</p>{{/NO_POSTS}}
{{#NOTHING_HERE}}<p class="empty">Nothing here: this page is past the end of the list.</p>{{/NOTHING_HERE}}
{{>PAGER}}
