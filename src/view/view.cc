// view: the C face of ctemplate; templates are loaded once, frozen, and expanded per request.
// The only C++ in blogd. No exception may cross into C: every entry point catches.
#include "view/view.h"

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>
#include <ctemplate/template_emitter.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

namespace
{

ctemplate::TemplateCache *cache;

// Appends straight into the response buffer, so a page is expanded without a std::string copy.
class BufEmitter : public ctemplate::ExpandEmitter
{
      public:
        explicit BufEmitter(struct buf *out) : out_(out), ok_(true)
        {
        }
        void Emit(char c) override
        {
                ok_ = buf_append(out_, &c, 1) && ok_;
        }
        void Emit(const std::string &s) override
        {
                ok_ = buf_append(out_, s.data(), s.size()) && ok_;
        }
        void Emit(const char *s) override
        {
                ok_ = buf_append(out_, s, strlen(s)) && ok_;
        }
        void Emit(const char *s, size_t n) override
        {
                ok_ = buf_append(out_, s, n) && ok_;
        }
        bool ok() const
        {
                return ok_;
        }

      private:
        struct buf *out_;
        bool ok_;
};

ctemplate::TemplateDictionary *D(struct view_dict *d)
{
        return reinterpret_cast<ctemplate::TemplateDictionary *>(d);
}

struct view_dict *V(ctemplate::TemplateDictionary *d)
{
        return reinterpret_cast<struct view_dict *>(d);
}

} // namespace

extern "C" bool view_load(const char *dir, char *err, size_t errlen)
{
        try {
                std::vector<std::string> files;
                DIR *dp = opendir(dir);
                if (!dp) {
                        snprintf(err, errlen, "cannot open template directory %s", dir);
                        return false;
                }
                while (struct dirent *e = readdir(dp)) {
                        size_t n = strlen(e->d_name);
                        if (n > 4 && strcmp(e->d_name + n - 4, ".tpl") == 0)
                                files.emplace_back(e->d_name);
                }
                closedir(dp);
                if (files.empty()) {
                        snprintf(err, errlen, "no *.tpl templates in %s", dir);
                        return false;
                }
                auto *fresh = new ctemplate::TemplateCache();
                fresh->SetTemplateRootDirectory(dir);
                for (const auto &f : files) {
                        if (!fresh->LoadTemplate(f, ctemplate::STRIP_WHITESPACE)) {
                                snprintf(err, errlen, "template %s/%s does not parse", dir,
                                         f.c_str());
                                delete fresh;
                                return false;
                        }
                }
                fresh->Freeze();
                delete cache;
                cache = fresh;
                return true;
        } catch (...) {
                snprintf(err, errlen, "out of memory loading templates");
                return false;
        }
}

extern "C" void view_unload(void)
{
        delete cache;
        cache = nullptr;
}

// Whether something could not be stored in the dictionary being built (an allocation that
// failed): its page is then incomplete, and view_expand refuses it. A process builds one page
// at a time, so one flag, cleared when a page's dictionary is made, is enough.
static bool page_lost;

static void lose()
{
        page_lost = true;
}

extern "C" struct view_dict *view_dict_new(void)
{
        page_lost = false;
        try {
                return V(new ctemplate::TemplateDictionary("page"));
        } catch (...) {
                lose();
                return nullptr;
        }
}

extern "C" void view_dict_free(struct view_dict *d)
{
        delete D(d);
}

// Every setter accepts a NULL dictionary (an allocation that failed earlier) and does nothing,
// so running out of memory never costs the worker; the page it cost a value is refused by
// view_expand (a 500, never half a page answered 200 and kept by the page cache).
extern "C" void view_set(struct view_dict *d, const char *key, const char *value, size_t len)
{
        if (!d)
                return lose();
        try {
                D(d)->SetValue(key, ctemplate::TemplateString(value, len));
        } catch (...) {
                lose();
        }
}

extern "C" void view_set_str(struct view_dict *d, const char *key, const char *value)
{
        view_set(d, key, value, strlen(value));
}

extern "C" void view_set_int(struct view_dict *d, const char *key, long long value)
{
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "%lld", value);
        view_set(d, key, tmp, (size_t)n);
}

extern "C" void view_show(struct view_dict *d, const char *section)
{
        if (!d)
                return lose();
        try {
                D(d)->ShowSection(section);
        } catch (...) {
                lose();
        }
}

extern "C" struct view_dict *view_section(struct view_dict *d, const char *section)
{
        if (!d) {
                lose();
                return nullptr;
        }
        try {
                return V(D(d)->AddSectionDictionary(section));
        } catch (...) {
                lose();
                return nullptr;
        }
}

extern "C" struct view_dict *view_include(struct view_dict *d, const char *name, const char *file)
{
        if (!d) {
                lose();
                return nullptr;
        }
        try {
                ctemplate::TemplateDictionary *inc = D(d)->AddIncludeDictionary(name);
                inc->SetFilename(file);
                return V(inc);
        } catch (...) {
                lose();
                return nullptr;
        }
}

extern "C" bool view_expand(const char *file, const struct view_dict *d, struct buf *out)
{
        if (!cache || !d || page_lost)
                return false;
        try {
                BufEmitter emitter(out);
                const auto *dict = reinterpret_cast<const ctemplate::TemplateDictionary *>(d);
                bool ok =
                    cache->ExpandNoLoad(file, ctemplate::STRIP_WHITESPACE, dict, nullptr, &emitter);
                return ok && emitter.ok();
        } catch (...) {
                return false;
        }
}
