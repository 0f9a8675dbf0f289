{{%AUTOESCAPE context="HTML"}}
{{!-- index: GET / -- the published posts, oldest first. --}}
<h1>Posts</h1>
{{#POST}}
<article class="post">
<span class="post-id">#{{ID}}</span>
<h2><a href="/{{ID}}/">{{TITLE}}</a></h2>
<p class="byline">{{#BY}}By {{AUTHOR}} &middot; {{/BY}}<time datetime="{{PUBLISHED_ISO}}">{{PUBLISHED_TEXT}}</time></p>
{{!-- BODY is the HTML cmark made of the post's Markdown in its safe mode when the post was
      saved (view/markdown.h: no raw HTML, no unsafe link schemes): the one value of the
      site that is not escaped here, because it is HTML already. --}}
<div class="prose">{{BODY:none}}</div>
</article>
{{/POST}}
{{#NO_POSTS}}<p class="empty">No posts yet.</p>{{/NO_POSTS}}
{{#NOTHING_HERE}}<p class="empty">Nothing here: this page is past the end of the list.</p>{{/NOTHING_HERE}}
{{>PAGER}}
