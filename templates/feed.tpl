{{%AUTOESCAPE context="XML"}}<?xml version="1.0" encoding="utf-8"?>
{{!-- feed: GET /feed.atom -- the newest published posts as Atom 1.0 (RFC 4287); every URL
      is made from base_url, never from the request. CONTENT is the post's HTML, escaped as
      Atom's type="html" content is. --}}
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{{SITE_NAME}}</title>
<id>{{BASE_URL}}/</id>
<updated>{{UPDATED}}</updated>
<link rel="self" type="application/atom+xml" href="{{BASE_URL}}/feed.atom"/>
<link rel="alternate" type="text/html" href="{{BASE_URL}}/"/>
<author><name>{{SITE_NAME}}</name></author>
<generator>blogd</generator>
{{#ENTRY}}
<entry>
<title>{{TITLE}}</title>
<id>{{BASE_URL}}/{{ID}}/</id>
<link rel="alternate" type="text/html" href="{{BASE_URL}}/{{ID}}/"/>
<published>{{PUBLISHED}}</published>
<updated>{{UPDATED}}</updated>
{{#BY}}<author><name>{{AUTHOR}}</name></author>{{/BY}}
<content type="html">{{CONTENT}}</content>
</entry>
{{/ENTRY}}
</feed>
