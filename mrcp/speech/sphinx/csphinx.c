#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/logmath.h>

#include "csphinx.h"
#include "_cgo_export.h"

/* parley_log formats a PocketSphinx message and hands warnings and errors
 * to Go; the (many) information lines stop here. */
static void parley_log(void *user_data, err_lvl_t level, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    (void)user_data;
    if (level < ERR_WARN)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    goSphinxLog((int)level, buf);
}

void parley_log_init(void)
{
    /* No more writing to stderr (the configuration dump goes there
     * directly), only through the callback. */
    err_set_logfp(NULL);
    err_set_callback(parley_log, NULL);
}

/* parley_config parses name-value pairs against ps_args(). The parser
 * keys its table on the name pointers it is given, so names are replaced
 * by the static ones of the definitions and the caller may free argv as
 * soon as this returns (values are copied). Unknown names give NULL. */
cmd_ln_t *parley_config(int argc, char **argv)
{
    const arg_t *defs = ps_args();
    char **args;
    cmd_ln_t *config;
    int i, k;

    if (argc % 2 != 0)
        return NULL;
    args = calloc(argc + 1, sizeof(*args));
    if (args == NULL)
        return NULL;
    for (i = 0; i < argc; i += 2) {
        for (k = 0; defs[k].name != NULL; k++)
            if (strcmp(defs[k].name, argv[i]) == 0)
                break;
        if (defs[k].name == NULL) {
            free(args);
            return NULL;
        }
        args[i] = (char *)defs[k].name;
        args[i + 1] = argv[i + 1];
    }
    config = cmd_ln_parse_r(NULL, defs, argc, args, TRUE);
    free(args);
    return config;
}

/* parley_set_fsg reads a finite-state grammar in PocketSphinx's text
 * format from memory and makes it search name. */
int parley_set_fsg(ps_decoder_t *ps, const char *name, const char *text, size_t len)
{
    FILE *fp;
    fsg_model_t *fsg;
    int rv;

    if ((fp = fmemopen((void *)text, len, "r")) == NULL)
        return -1;
    fsg = fsg_model_read(fp, ps_get_logmath(ps),
                         cmd_ln_float32_r(ps_get_config(ps), "-lw"));
    fclose(fp);
    if (fsg == NULL)
        return -1;
    rv = ps_set_fsg(ps, name, fsg);
    fsg_model_free(fsg);
    return rv;
}

/* The live cepstral mean: read after the decoder is made, written back
 * before every utterance, so that no utterance depends on the ones the
 * decoder heard before. */
int parley_cmn_len(ps_decoder_t *ps)
{
    feat_t *f = ps_get_feat(ps);
    return f->cmn_struct ? f->cmn_struct->veclen : 0;
}

void parley_cmn_get(ps_decoder_t *ps, float *vec)
{
    cmn_live_get(ps_get_feat(ps)->cmn_struct, vec);
}

void parley_cmn_set(ps_decoder_t *ps, const float *vec)
{
    cmn_live_set(ps_get_feat(ps)->cmn_struct, vec);
}

double parley_exp(ps_decoder_t *ps, int logp)
{
    return logmath_exp(ps_get_logmath(ps), logp);
}

double parley_ln(ps_decoder_t *ps, int logp)
{
    return logmath_log_to_ln(ps_get_logmath(ps), logp);
}

double parley_ascale(ps_decoder_t *ps)
{
    return cmd_ln_float32_r(ps_get_config(ps), "-ascale");
}
