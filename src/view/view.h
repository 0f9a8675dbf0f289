/* view: the C face of ctemplate; templates are loaded once, frozen, and expanded per request. */
#ifndef BLOGD_VIEW_H
#define BLOGD_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct view_dict;

/*
 * Loads every *.tpl file in dir into a fresh template cache with whitespace stripping and
 * freezes it; on success it replaces the cache in use. Called by the master before forking.
 */
bool view_load(const char *dir, char *err, size_t errlen);
void view_unload(void);

struct view_dict *view_dict_new(void);
void view_dict_free(struct view_dict *d);
/* Values are copied; they are escaped by the template's declared auto-escape context. Every
 * call accepts a NULL dictionary (a failed allocation) and marks the page lost. */
void view_set(struct view_dict *d, const char *key, const char *value, size_t len);
void view_set_str(struct view_dict *d, const char *key, const char *value);
void view_set_int(struct view_dict *d, const char *key, long long value);
void view_show(struct view_dict *d, const char *section);
/* Adds (and shows) one more repetition of a section; the returned dict belongs to d. */
struct view_dict *view_section(struct view_dict *d, const char *section);
/* Fills the {{>name}} include with template file; the returned dict belongs to d. */
struct view_dict *view_include(struct view_dict *d, const char *name, const char *file);

/* Appends the expansion to out. False if the template is missing, expansion failed, or a
 * value of the page's dictionary could not be stored (out of memory): never half a page. */
bool view_expand(const char *file, const struct view_dict *d, struct buf *out);

#ifdef __cplusplus
}
#endif

#endif
