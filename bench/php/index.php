<?php
// bench/php/index.php: the PHP-FPM peer of blogd's post page for scripts/bench.py. GET /<id>/
// renders the post and the first page of its approved comments from blogd's own MariaDB tables,
// in blogd's markup (templates/layout.tpl, post.tpl); POST /<id>/ stores a comment with one plain
// INSERT and answers 303 to the post page. PDO, persistent connection, native prepares.
// Settings come from the pool's env[] (bench/php/php-fpm.conf.in): BENCH_DB_*, BENCH_SITE_NAME,
// BENCH_PAGE_COMMENTS, BENCH_MAX_COMMENT_CHARS, BENCH_CSRF_KEY. The CSRF field is rendered like
// blogd's (a nonce cookie, HMAC-SHA-256 token) so the page is the same work, but never checked.

function fail(int $status, string $text): void
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    echo $text, "\n";
    exit;
}

function h(string $s): string
{
    return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

function db(): PDO
{
    return new PDO('mysql:unix_socket=' . getenv('BENCH_DB_SOCKET') . ';dbname=' . getenv('BENCH_DB_NAME')
        . ';charset=utf8mb4', getenv('BENCH_DB_USER'), getenv('BENCH_DB_PASSWORD'), [
        PDO::ATTR_PERSISTENT => true,
        PDO::ATTR_EMULATE_PREPARES => false,
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    ]);
}

// A valid UTF-8 form field of at most $max characters, or a 400.
function field(string $name, int $max, bool $required): string
{
    $v = $_POST[$name] ?? '';
    if (!is_string($v) || !preg_match('//u', $v)) {
        fail(400, "bad $name");
    }
    $v = trim($v);
    if ($required && $v === '') {
        fail(400, "empty $name");
    }
    if (iconv_strlen($v, 'UTF-8') > $max) {
        fail(400, "$name too long");
    }
    return $v;
}

function add_comment(int $id): void
{
    $content = field('content', (int) (getenv('BENCH_MAX_COMMENT_CHARS') ?: 10000), true);
    $name = field('name', 50, false);
    // The same comment table blogd writes (its triggers bump change_seq as for any writer).
    $st = db()->prepare("INSERT INTO comment (content, name, post_id)"
        . " SELECT ?, ?, id FROM post WHERE id = ? AND status = 'published'");
    $st->execute([$content, $name, $id]);
    if ($st->rowCount() !== 1) {
        fail(404, 'no such post');
    }
    header("Location: /$id/", true, 303);
}

function show_post(int $id): void
{
    $db = db();
    $st = $db->prepare("SELECT p.title, COALESCE(p.html, p.content) AS body, p.html IS NULL AS raw,"
        . " COALESCE(a.name, '') AS author, UNIX_TIMESTAMP(COALESCE(p.published_at, p.created_at)) AS ts"
        . " FROM post p LEFT JOIN author a ON a.id = p.author_id WHERE p.id = ? AND p.status = 'published'");
    $st->execute([$id]);
    $post = $st->fetch(PDO::FETCH_ASSOC);
    if (!$post) {
        fail(404, 'no such post');
    }
    $per = (int) (getenv('BENCH_PAGE_COMMENTS') ?: 50);
    $st = $db->prepare("SELECT id, name, content, UNIX_TIMESTAMP(created_at) AS ts FROM comment"
        . " WHERE post_id = ? AND status = 'approved' ORDER BY id LIMIT ?");
    $st->execute([$id, $per + 1]);  // one more: is there a next page?
    $comments = $st->fetchAll(PDO::FETCH_ASSOC);
    $more = count($comments) > $per;
    if ($more) {
        array_pop($comments);
    }

    $nonce = $_COOKIE['blogd_csrf'] ?? '';
    if (!is_string($nonce) || !preg_match('/^[0-9a-f]{32}$/', $nonce)) {
        $nonce = bin2hex(random_bytes(16));
        header("Set-Cookie: blogd_csrf=$nonce; Path=/; HttpOnly; SameSite=Lax");
    }
    $csrf = hash_hmac('sha256', $nonce, (string) getenv('BENCH_CSRF_KEY'));
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-cache');
    header("Content-Security-Policy: default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self';"
        . " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    header('X-Content-Type-Options: nosniff');
    header('X-Frame-Options: DENY');
    header('Referrer-Policy: same-origin');
    if (isset($_SERVER['REQUEST_ID'])) {
        header('X-Request-Id: ' . $_SERVER['REQUEST_ID']);
    }

    $site = h((string) (getenv('BENCH_SITE_NAME') ?: 'blogd'));
    $ts = (int) $post['ts'];
    // The post's HTML is what blogd rendered (cmark, safe mode) when it was saved: the one value
    // not escaped, as in post.tpl; a post stored without it (plain SQL) is shown as text.
    $body = $post['raw'] ? '<p>' . h($post['body']) . '</p>' : $post['body'];
    $author = $post['author'] === '' ? '' : 'By ' . h($post['author']) . ' &middot; ';
    $out = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport"'
        . ' content="width=device-width, initial-scale=1"><title>' . h($post['title']) . " - $site</title>"
        . '<link rel="stylesheet" href="/static/style.css"><link rel="icon" href="/favicon.ico">'
        . "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"$site\" href=\"/feed.atom\">"
        . '<script src="/static/blogd.js" defer></script></head><body><nav class="navbar">'
        . "<a class=\"brand\" href=\"/\">$site</a><a href=\"/comments/\">Comments</a><a href=\"/about/\">About</a>"
        . '<a class="account" href="/login">Sign in</a></nav><main class="container"><article class="post">'
        . "<span class=\"post-id\">#$id</span><h1>" . h($post['title']) . "</h1><p class=\"byline\">$author"
        . '<time datetime="' . gmdate('Y-m-d\TH:i:s\Z', $ts) . '">' . gmdate('j F Y', $ts) . '</time></p>'
        . "<div class=\"prose\">$body</div></article><section class=\"comments\"><h2>Comments</h2>"
        . "<form class=\"comment-form\" method=\"post\" action=\"/$id/\">"
        . "<input type=\"hidden\" name=\"csrf\" value=\"$csrf\">"
        . '<textarea name="content" placeholder="Comment" rows="4" required></textarea>'
        . '<input type="text" name="name" placeholder="Name (optional)" maxlength="50" autocomplete="nickname"'
        . ' value=""><div class="hp" aria-hidden="true"><label for="website">Leave this empty</label>'
        . '<input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>'
        . '<button type="submit">Add comment</button></form>';
    foreach ($comments as $c) {
        $cid = (int) $c['id'];
        $cts = (int) $c['ts'];
        $out .= "<div class=\"comment\" id=\"c$cid\"><p class=\"comment-meta\"><span class=\"comment-id\">#$cid</span>"
            . ' <span class="comment-name">' . ($c['name'] === '' ? 'Anonymous' : h($c['name'])) . '</span>'
            . ' <time datetime="' . gmdate('Y-m-d\TH:i:s\Z', $cts) . '">' . gmdate('j F Y', $cts) . '</time></p>'
            . '<p class="text">' . h($c['content']) . '</p>'
            . "<form class=\"delete\" method=\"post\" action=\"/comments/$cid/delete\""
            . ' data-confirm="Are you sure you want to delete this entry?">'
            . "<input type=\"hidden\" name=\"csrf\" value=\"$csrf\">"
            . '<button type="submit" class="danger">Delete Comment</button></form></div>';
    }
    if ($more) {
        $out .= '<nav class="pager" aria-label="More"><span class="spacer"></span><a rel="next" href="?after='
            . (int) end($comments)['id'] . '">Newer comments &rarr;</a></nav>';
    }
    $out .= '</section></main></body></html>';
    header('Content-Length: ' . strlen($out));  // as blogd's: nginx then sends it, not chunks
    echo $out;
}

// One script for every path (nginx's SCRIPT_FILENAME): the post's id is the path's.
$path = $_SERVER['DOCUMENT_URI'] ?? parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
if (!preg_match('#^/([1-9][0-9]{0,9})/$#', (string) $path, $m) || (int) $m[1] > 4294967295) {
    fail(404, 'not found');
}
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
try {
    if ($method === 'POST') {
        add_comment((int) $m[1]);
    } elseif ($method === 'GET' || $method === 'HEAD') {
        show_post((int) $m[1]);
    } else {
        header('Allow: GET, HEAD, POST');
        fail(405, 'method not allowed');
    }
} catch (PDOException $e) {
    error_log('bench/php: ' . $e->getMessage());
    fail(503, 'database unavailable');
}
