/*
 * ini_table.h — parameter files as key tables, the machinery chip files
 * (chip.c) and stack files (stack.c) share. A format is a table of keys:
 * section, name, kind and the offset of the field each fills. Every key of
 * the table is required and carries a `source:` or `ASSUMED:` note, on its
 * line or on the comment lines directly above; unknown, missing, duplicate
 * and malformed keys are errors "file:line: section.key: problem";
 * overrides "section.key=value" replace values after the file is read.
 * libinih parses the values; a line scan of our own finds each key's line
 * and note, which inih does not report.
 */
#ifndef TPUSIM_INI_TABLE_H
#define TPUSIM_INI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INI_VALUE_MAX 512 /* a value's text, lists included */
#define INI_NOTE_MAX 256  /* a note: "source: ..." or "ASSUMED: ..." */

/* How a key's text becomes its field. Numbers also have a range
 * (ini_key.range). */
enum ini_kind {
    INI_DOUBLE,        /* double */
    INI_INT,           /* int */
    INI_U64,           /* uint64_t */
    INI_BOOL,          /* bool: true | false */
    INI_ENUM,          /* int field: one of ini_key.choices */
    INI_NAME,          /* char[ini_key.size]: letters, digits, '_', '-', '.' */
    INI_LIST           /* comma-separated items parsed by ini_key.parse */
};

/* The physically meaningful values of a number, checked at load: [min,
 * max], and 0 too when zero_ok (the chip or stack lacks the thing). `why`
 * says where the bounds come from; every number has one. */
struct ini_range {
    double min, max;
    bool zero_ok;
    const char *why;
};
#define INI_RANGE(lo, hi, why) {lo, hi, false, why}
#define INI_RANGE_OR_0(lo, hi, why) {lo, hi, true, why}

/* One name of an INI_ENUM key and the value it stores. */
struct ini_choice {
    const char *name;
    int value;
};

/* Parses a list's text into its field; false with the reason in why. */
typedef bool (*ini_list_fn)(const char *text, void *field, char *why, size_t why_len);

struct ini_key {
    const char *section;
    const char *name;
    enum ini_kind kind;
    size_t offset;                    /* of the field in the loaded struct */
    unsigned applies;                 /* variant bits it belongs to; 0: always */
    const struct ini_choice *choices; /* INI_ENUM: ended by {NULL, 0} */
    size_t size;                      /* INI_NAME: bytes of the char array */
    ini_list_fn parse;                /* INI_LIST */
    struct ini_range range;           /* INI_DOUBLE, INI_INT, INI_U64 */
};

struct ini_format {
    const char *what;               /* "chip": names the file kind in messages */
    const struct ini_key *keys;
    size_t n_keys;
    const char *const *sections;    /* in file order */
    size_t n_sections;
    /* Index of an INI_ENUM key whose value (a bit) selects the keys with a
     * non-zero `applies`; -1 when every key applies. */
    int variant_key;
    const char *missing_hint;       /* appended to "missing key" messages */
    const char *override_flag;      /* "--set": names overrides in messages */
};

/* One key as found: its line, its final text, its note. */
struct ini_entry {
    int line;           /* 0: not in the file */
    bool has_value;     /* inih reported it */
    bool overridden;
    char value[INI_VALUE_MAX];
    char note[INI_NOTE_MAX];
    char where[128];    /* "--set k=v" for overridden values */
};

/* One resolved value, for `--dump`: key, text, unit, range, note, line. */
struct ini_value {
    char key[64];       /* "mxu.rows" */
    char value[INI_VALUE_MAX];
    char unit[32];      /* from the key's suffix */
    char range[48];     /* "[1, 10000]", "0 or [0.1, 1e+05]"; "" when not a number */
    char note[INI_NOTE_MAX]; /* "source: ..." or "ASSUMED: ..." or "derived" */
    int line;           /* 0: derived or not from the file */
};

/* Reads `path` in format f, applies overrides in order, checks that every
 * key that applies is present (and none that does not), and converts each
 * into its field of `out` (which the caller has zeroed). entries (f->n_keys
 * of them) receive every key's final text and note; *variant the variant
 * key's value (0 without one). Returns a tpusim_status with
 * "file:line: section.key: problem" in err. */
int ini_table_load(const struct ini_format *f, const char *path, const char *const *overrides,
                   int n_overrides, void *out, struct ini_entry *entries, unsigned *variant,
                   char *err, size_t err_len);
/* As ini_table_load, from len bytes of text in memory; `name` stands for
 * the path in messages ("name:line: section.key: problem"). */
int ini_table_load_text(const struct ini_format *f, const char *name, const char *text,
                        size_t len, const char *const *overrides, int n_overrides, void *out,
                        struct ini_entry *entries, unsigned *variant, char *err, size_t err_len);
/* The loaded values of the keys that apply, in file order, into out (room
 * for f->n_keys); returns how many. */
size_t ini_table_values(const struct ini_format *f, const struct ini_entry *entries,
                        unsigned variant, struct ini_value *out);
/* A derived value for a dump: the number with 10 significant digits. */
void ini_value_derived(struct ini_value *v, const char *key, const char *unit, double value);
/* Index of section.name in f, or -1. */
int ini_find_key(const struct ini_format *f, const char *section, const char *name);
/* "systolic or tensor_cores": an enum key's names, for messages. */
const char *ini_choices_text(const struct ini_choice *choices, char *buf, size_t len);
/* The name of an enum value, or "?". */
const char *ini_choice_name(const struct ini_choice *choices, int value);

/* A kind of parameter file (chips, stacks): its table and what it adds
 * around it. ini_file_load and ini_file_dump are chip_load/stack_load and
 * chip_dump/stack_dump for any kind. */
struct ini_file_kind {
    const struct ini_format *format;
    size_t size;          /* of the struct a file loads into */
    size_t path_offset;   /* of its char path[] field, which resolve fills */
    /* Fills the struct's name and path from a name (under models_dir) or
     * a path ending in .ini; a tpusim_status with a message in err. */
    int (*resolve)(const char *models_dir, const char *name_or_path, void *out, char *err,
                   size_t err_len);
    /* Checks across keys and derived values, after conversion; may be NULL. */
    int (*finish)(void *out, const struct ini_entry *entries, char *err, size_t err_len);
    /* A dump's derived values after the file's (room for max_derived); may be NULL. */
    size_t (*derived)(const void *out, struct ini_value *v);
    size_t max_derived;
};

/* Loads name_or_path as kind k into out (zeroed on error). */
int ini_file_load(const struct ini_file_kind *k, const char *models_dir, const char *name_or_path,
                  const char *const *overrides, int n_overrides, void *out, char *err,
                  size_t err_len);
/* As ini_file_load, keeping every key's final text: *entries (format->
 * n_keys of them, malloc'ed, free() them; NULL on error) is what
 * ini_file_derive starts from. */
int ini_file_load_keep(const struct ini_file_kind *k, const char *models_dir,
                       const char *name_or_path, const char *const *overrides, int n_overrides,
                       void *out, struct ini_entry **entries, char *err, size_t err_len);
/* What ini_file_load would give for base's file with base's overrides and
 * then these, without reading or parsing the file again: from the entries
 * a load of base kept (copied into *entries, as ini_file_load_keep). */
int ini_file_derive(const struct ini_file_kind *k, const void *base,
                    const struct ini_entry *base_entries, const char *const *overrides,
                    int n_overrides, void *out, struct ini_entry **entries, char *err,
                    size_t err_len);
/* As ini_file_load, from len bytes of text in memory named `name` (which
 * must end in .ini: it names the chip or stack as a path would). */
int ini_file_load_text(const struct ini_file_kind *k, const char *name, const char *text,
                       size_t len, const char *const *overrides, int n_overrides, void *out,
                       char *err, size_t err_len);
/* Every resolved value, in file order, then the derived ones; *values is
 * malloc'ed (free() it), *n set. `out`, when not NULL, receives what
 * ini_file_load would give. */
int ini_file_dump(const struct ini_file_kind *k, const char *models_dir,
                  const char *name_or_path, const char *const *overrides, int n_overrides,
                  struct ini_value **values, int *n, void *out, char *err, size_t err_len);

/* Formats into err (when not NULL) and returns rc. */
int ini_error(char *err, size_t err_len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Files and names. */
bool ini_has_suffix(const char *s, const char *suffix);
bool ini_is_file(const char *path);
void ini_copy_str(char *dst, size_t n, const char *src);
/* The sorted names of the entries of dir that `keep` accepts; keep writes
 * the name to show for the entry (a chip folder, a stack file less .ini).
 * names is malloc'ed, each name too; free with ini_free_names. */
int ini_list_dir(const char *dir, bool (*keep)(const char *dir, const char *entry, char *name,
                                              size_t name_len),
                 char ***names, int *n);
void ini_free_names(char **names, int n);
/* The file of `name` under the models directory `dir`:
 * "dir/<sub>name<suffix>" into path ("stacks/" and ".ini" for a stack).
 * TPUSIM_ERR_ARG, "unknown <what> 'name' in dir/<sub> (available: ...)",
 * when name is not a plain name or no such file exists; `list` names what
 * is there. */
int ini_find_named(const char *dir, const char *sub, const char *name, const char *suffix,
                   const char *what, int (*list)(const char *dir, char ***names, int *n),
                   char *path, size_t path_len, char *err, size_t err_len);
/* "a, b, c" into buf; "none" when n is 0. */
const char *ini_names_text(char *const *names, int n, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_INI_TABLE_H */
