{{%AUTOESCAPE context="HTML"}}
{{!-- login: GET/POST /login -- the sign-in form; after a failure, the name as typed. --}}
<h1>Sign in</h1>
<form class="stacked narrow" method="post" action="/login">
{{#PROBLEM}}<p class="problem" role="alert">{{PROBLEM_TEXT}}</p>{{/PROBLEM}}
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="next" value="{{NEXT}}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" value="{{USERNAME}}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
