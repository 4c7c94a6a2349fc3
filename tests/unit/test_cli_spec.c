/* test_cli_spec.c - the CLI's taint and label arguments (harness/cli/spec.c) against kubectl's
 * parseTaints, Validate and parseLabels, with the plugin's label rules behind a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/spec.h"
#include "validate.h"

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const struct nodegate_plugin api = {.label_key_problem = ngp_check_label_key,
                                           .label_value_problem = ngp_check_label_value};

static char err[2048];

/* The n arguments of a command, as its argv. */
static void collect(char **args, int n, va_list ap)
{
    for (int i = 0; i < n; i++)
        args[i] = va_arg(ap, char *);
    err[0] = '\0';
}

/* Parses one command's taint arguments; returns the error text, "" when they parse. */
static const char *taints(cli_taint_spec **out, int n, ...)
{
    char *args[8];
    va_list ap;
    va_start(ap, n);
    collect(args, n, ap);
    va_end(ap);
    *out = cli_parse_taints(&api, args, n, err, sizeof err);
    return err;
}

static void taint_forms(void **state)
{
    cli_taint_spec *s;
    assert_string_equal(taints(&s, 3, "dedicated=gpu:NoSchedule", "node-role.kubernetes.io/master:NoSchedule-", "spot-"), "");
    assert_string_equal(s[0].key, "dedicated");
    assert_string_equal(s[0].value, "gpu");
    assert_string_equal(s[0].effect, "NoSchedule");
    assert_false(s[0].remove);
    assert_string_equal(s[1].key, "node-role.kubernetes.io/master");
    assert_string_equal(s[1].effect, "NoSchedule");
    assert_true(s[1].remove);
    assert_string_equal(s[2].key, "spot");
    assert_string_equal(s[2].effect, "");   /* every taint of the key */
    assert_true(s[2].remove);
    cli_taint_specs_free(s, 3);
    /* a removal may name a value, which is not compared (kubectl keeps key and effect) */
    assert_string_equal(taints(&s, 1, "a=b:NoExecute-"), "");
    assert_string_equal(s[0].key, "a");
    cli_taint_specs_free(s, 1);
}

static void taint_errors(void **state)
{
    cli_taint_spec *s;
    assert_string_equal(taints(&s, 1, "a=b:Bad"), "invalid taint effect: Bad, unsupported taint effect");
    assert_null(s);
    assert_string_equal(taints(&s, 1, "a:b:NoSchedule"), "invalid taint spec: a:b:NoSchedule");
    assert_string_equal(taints(&s, 1, "a=b=c:NoSchedule"), "invalid taint spec: a=b=c:NoSchedule");
    assert_string_equal(taints(&s, 1, "a"), "invalid taint spec: a");   /* an addition needs an effect */
    assert_true(starts(taints(&s, 1, "a=-x:NoSchedule"), "invalid taint spec: a=-x:NoSchedule, a valid label must"));
    assert_true(starts(taints(&s, 1, "-a:NoSchedule-"), "invalid taint spec: -a:NoSchedule, name part must"));
    assert_string_equal(taints(&s, 2, "a=1:NoSchedule", "a=2:NoSchedule"),
                        "duplicated taints with the same key and effect: {a 2 NoSchedule <nil>}");
    assert_string_equal(taints(&s, 3, "a=1:NoSchedule", "b:NoExecute", "a-"),
                        "can not both modify and remove the following taint(s) in the same command: {\"a\":\"\"}");
    /* the same key with another effect is no conflict */
    assert_string_equal(taints(&s, 2, "a=1:NoSchedule", "a:NoExecute-"), "");
    cli_taint_specs_free(s, 2);
}

static const char *labels(cli_label_spec **out, int n, ...)
{
    char *args[8];
    va_list ap;
    va_start(ap, n);
    collect(args, n, ap);
    va_end(ap);
    *out = cli_parse_labels(&api, args, n, err, sizeof err);
    return err;
}

static void label_forms_and_errors(void **state)
{
    cli_label_spec *s;
    assert_string_equal(labels(&s, 3, "pool=gpu", "empty=", "gone-"), "");
    assert_string_equal(s[0].key, "pool");
    assert_string_equal(s[0].value, "gpu");
    assert_string_equal(s[1].value, "");
    assert_true(s[2].remove);
    assert_string_equal(s[2].key, "gone");
    cli_label_specs_free(s, 3);
    assert_string_equal(labels(&s, 1, "a=b=c"), "invalid label spec: a=b=c");
    assert_string_equal(labels(&s, 1, "pool"), "unknown label spec: pool");
    assert_true(starts(labels(&s, 1, "a=b c"), "invalid label value: \"a=b c\": a valid label must"));
    assert_true(starts(labels(&s, 1, "a b=c"), "metadata.labels: Invalid value: \"a b\": name part must"));
    assert_string_equal(labels(&s, 2, "a=b", "a-"), "can not both modify and remove a label in the same command");
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(taint_forms),
        cmocka_unit_test(taint_errors),
        cmocka_unit_test(label_forms_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
