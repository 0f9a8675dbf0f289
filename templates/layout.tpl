{{%AUTOESCAPE context="HTML"}}
{{!-- layout: the shell every page shares; BODY is the page's own template. --}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} - {{SITE_NAME}}</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/favicon.ico">
<link rel="alternate" type="application/atom+xml" title="{{SITE_NAME}}" href="/feed.atom">
<script src="/static/blogd.js" defer></script>
</head>
<body>
<nav class="navbar">
<a class="brand" href="/">{{SITE_NAME}}</a>
<a href="/comments/">Comments</a>
<a href="/about/">About</a>
{{#SIGN_IN}}<a class="account" href="/login">Sign in</a>{{/SIGN_IN}}
{{#SIGNED_IN}}<a class="account" href="/admin/">Admin</a>
<form class="signout" method="post" action="/logout">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit" title="Signed in as {{AUTHOR}}">Sign out</button>
</form>{{/SIGNED_IN}}
</nav>
<main class="container">
{{#READ_ONLY}}<p class="notice-readonly" role="status">This blog is read-only for the moment: you can read everything, but new comments and changes cannot be saved until its database is back. Please try again in a few minutes.</p>{{/READ_ONLY}}
{{>BODY}}
</main>
</body>
</html>
