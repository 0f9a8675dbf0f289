{{%AUTOESCAPE context="HTML"}}
{{!-- delete_button: a comment's "Delete Comment" (post pages, and added to a cached page for
      the browser that wrote the comment). --}}
<form class="delete" method="post" action="/comments/{{ID}}/delete" data-confirm="Are you sure you want to delete this entry?">
<input type="hidden" name="csrf" value="{{CSRF}}">
<button type="submit" class="danger">Delete Comment</button>
</form>
