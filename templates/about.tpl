{{%AUTOESCAPE context="HTML"}}
{{!-- about: GET /about/ --}}
<h1>About</h1>
<p>{{SITE_NAME}} is a small blog: posts, and the comments readers leave on them.</p>
<p>It is served by blogd, a FastCGI worker pool written in C, behind nginx, with its data in MariaDB.</p>
