/* flags.h - nodegate-server's command line: its flags, their defaults and the usage text. */
#ifndef SRV_FLAGS_H
#define SRV_FLAGS_H

#include "http.h"

/* --max-body's default: room for full-mode bodies of thousands of ~11 KB nodes. */
#define SRV_DEFAULT_MAX_BODY (256ull << 20)

typedef struct srv_flags {
    srv_server_config server;
    const char *nodes;     /* --nodes FILE, or NULL */
    const char *plugin;    /* --plugin PATH, or NULL for the default place */
    char *options;         /* the plugin's options JSON (from --feature-gates), or NULL */
} srv_flags;

/* Fills f from argv, defaults first. --help and --version print and exit 0; a bad flag prints
 * one line on stderr and exits 2. Free f->options with srv_flags_free. */
void srv_parse_flags(int argc, char **argv, srv_flags *f);
void srv_flags_free(srv_flags *f);

#endif
