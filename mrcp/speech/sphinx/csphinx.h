/* C helpers for package sphinx: the few things cgo cannot do directly
 * (variadic callbacks, arrays of strings, fields of feat_t, reading a
 * grammar from memory). */
#ifndef PARLEY_CSPHINX_H
#define PARLEY_CSPHINX_H

#include <stddef.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

void parley_log_init(void);
cmd_ln_t *parley_config(int argc, char **argv);
int parley_set_fsg(ps_decoder_t *ps, const char *name, const char *text, size_t len);
int parley_cmn_len(ps_decoder_t *ps);
void parley_cmn_get(ps_decoder_t *ps, float *vec);
void parley_cmn_set(ps_decoder_t *ps, const float *vec);
double parley_exp(ps_decoder_t *ps, int logp);
double parley_ln(ps_decoder_t *ps, int logp);
double parley_ascale(ps_decoder_t *ps);

#endif
