/* spec.h - kubectl's taint and label arguments (KEY[=VALUE]:EFFECT[-], KEY=VALUE, KEY-), parsed and
 * checked as kubectl's pkg/cmd/taint and pkg/cmd/label do, with their error sentences. */
#ifndef CLI_SPEC_H
#define CLI_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "nodegate.h"

typedef struct {
    char *key, *value, *effect;   /* effect "" only in a removal: every taint of the key */
    bool remove;
} cli_taint_spec;

typedef struct {
    char *key, *value;
    bool remove;
} cli_label_spec;

/* Parses kubectl taint's spec arguments (parseTaints): for a removal KEY[:EFFECT]- (a value is
 * allowed and ignored), else KEY[=VALUE]:EFFECT; then the checks of kubectl's Validate (no taint
 * both added and removed, no key and effect twice). api gives the label rules. Returns the specs
 * (free with cli_taint_specs_free) or NULL with kubectl's sentence in err. */
cli_taint_spec *cli_parse_taints(const struct nodegate_plugin *api, char **args, int n, char *err, size_t errlen);
void cli_taint_specs_free(cli_taint_spec *s, int n);

/* Parses kubectl label's arguments (parseLabels): KEY=VALUE or KEY-. */
cli_label_spec *cli_parse_labels(const struct nodegate_plugin *api, char **args, int n, char *err, size_t errlen);
void cli_label_specs_free(cli_label_spec *s, int n);

#endif
