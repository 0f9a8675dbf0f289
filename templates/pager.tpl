{{%AUTOESCAPE context="HTML"}}
{{!-- pager: "prev"/"next" links of a keyset-paged list; cursors are ids, never offsets. --}}
<nav class="pager" aria-label="More">
{{#PREV}}<a rel="prev" href="?{{PARAM}}={{CURSOR}}">&larr; {{LABEL}}</a>{{/PREV}}
<span class="spacer"></span>
{{#NEXT}}<a rel="next" href="?{{PARAM}}={{CURSOR}}">{{LABEL}} &rarr;</a>{{/NEXT}}
</nav>
