{{%AUTOESCAPE context="HTML"}}
{{!-- error: every 4xx/5xx answer, in the site layout. --}}
<h1>{{HEADING}}</h1>
<p class="problem">{{MESSAGE}}</p>
<p><a href="/">Back to the posts</a></p>
