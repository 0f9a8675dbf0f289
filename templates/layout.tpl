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
<script src="/static/blogd.js" defer></script>
</head>
<body>
<nav class="navbar">
<a class="brand" href="/">{{SITE_NAME}}</a>
<a href="/comments/">Comments</a>
<a href="/about/">About</a>
</nav>
<main class="container">
{{>BODY}}
</main>
</body>
</html>
