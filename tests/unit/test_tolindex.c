/* test_tolindex.c - the toleration index against ngp_tolerations_tolerate (match.c, the reference) on random tolerations and taints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "match.h"
#include "model.h"
#include "prng.h"
#include "tolindex.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ANY(a) ((a)[below(LEN(a))])

/* Small pools, so keys, values and effects collide often: empty keys and
 * effects, every operator (and an unknown one), canonical and non-canonical
 * integers for Lt/Gt (SPEC 2.2), unknown effects on both sides. */
static const char *const keys[] = {"", "", "a", "b", "dedicated", "node.kubernetes.io/unschedulable"};
static const char *const ops[] = {"", "Equal", "Exists", "Exists", "Lt", "Gt", "Foo"};
static const char *const values[] = {"", "", "x", "gpu", "0", "5", "950", "-5", "0100", "+5", "-0",
                                     "9223372036854775807", "-9223372036854775808", "9223372036854775808"};
static const char *const effects[] = {"", "", "NoSchedule", "PreferNoSchedule", "NoExecute", "Sometimes"};
static const ngp_effect taint_effects[] = {NGP_EFFECT_NO_SCHEDULE, NGP_EFFECT_PREFER_NO_SCHEDULE,
                                           NGP_EFFECT_NO_EXECUTE, NGP_EFFECT_EMPTY, NGP_EFFECT_OTHER};

static void random_pods(uint64_t seed, uint32_t max_tols, unsigned rounds)
{
    ngp_toleration tols[64];
    size_t tolerated = 0, not_tolerated = 0;
    rng = seed;
    for (unsigned round = 0; round < rounds; round++) {
        uint32_t n = (uint32_t)below(max_tols + 1);
        for (uint32_t i = 0; i < n; i++) {
            const char *op = ANY(ops), *effect = ANY(effects);
            tols[i] = (ngp_toleration){.key = ANY(keys), .value = ANY(values), .op_text = op, .effect_text = effect,
                                       .op = ngp_tol_op_parse(op), .effect = ngp_effect_parse(effect)};
        }
        for (int gate = 0; gate < 2; gate++) {
            ngp_tolindex *ix = ngp_tolindex_new(tols, n, gate);
            for (unsigned k = 0; k < 40; k++) {
                ngp_taint t = {ANY(keys), ANY(values), ANY(taint_effects)};
                bool want = ngp_tolerations_tolerate(tols, n, &t, gate);
                if (ngp_tolindex_tolerates(ix, &t) != want)
                    fail_msg("round %u gate %d, taint %s=%s:%d: index says %d, reference %d", round, gate, t.key,
                             t.value, t.effect, !want, want);
                tolerated += want;
                not_tolerated += !want;
            }
            ngp_tolindex_free(ix);
        }
    }
    assert_true(tolerated > 1000 && not_tolerated > 1000);   /* both outcomes were exercised */
}

static void test_few(void **state) { (void)state; random_pods(0x70100001, 4, 3000); }
static void test_many(void **state) { (void)state; random_pods(0x70100002, 64, 1500); }

/* Hand-picked rules, expectations from SPEC 2.1 and 2.2. */
static void test_rules(void **state)
{
    (void)state;
    ngp_toleration tols[] = {
        {.key = "sla", .value = "750", .op = NGP_TOL_GT, .effect = NGP_EFFECT_NO_SCHEDULE},
        {.key = "sla", .value = "900", .op = NGP_TOL_GT, .effect = NGP_EFFECT_NO_SCHEDULE},   /* 750 is the smallest */
        {.key = "", .value = "", .op = NGP_TOL_EQUAL, .effect = NGP_EFFECT_NO_EXECUTE},       /* every valueless NoExecute */
        {.key = "odd", .value = "", .op = NGP_TOL_EXISTS, .effect = NGP_EFFECT_OTHER},        /* an unknown effect: nothing */
    };
    ngp_tolindex *on = ngp_tolindex_new(tols, LEN(tols), true), *off = ngp_tolindex_new(tols, LEN(tols), false);
    ngp_taint sla800 = {"sla", "800", NGP_EFFECT_NO_SCHEDULE}, sla750 = {"sla", "750", NGP_EFFECT_NO_SCHEDULE},
              sla_lead = {"sla", "0800", NGP_EFFECT_NO_SCHEDULE}, any_ne = {"whatever", "", NGP_EFFECT_NO_EXECUTE},
              valued_ne = {"whatever", "v", NGP_EFFECT_NO_EXECUTE}, odd = {"odd", "", NGP_EFFECT_NO_SCHEDULE};
    assert_true(ngp_tolindex_tolerates(on, &sla800));     /* 800 > 750 */
    assert_false(ngp_tolindex_tolerates(off, &sla800));   /* gate off: Gt never matches */
    assert_false(ngp_tolindex_tolerates(on, &sla750));    /* equal never matches */
    assert_false(ngp_tolindex_tolerates(on, &sla_lead));  /* 0800 is not canonical */
    assert_true(ngp_tolindex_tolerates(off, &any_ne));
    assert_false(ngp_tolindex_tolerates(off, &valued_ne));
    assert_false(ngp_tolindex_tolerates(on, &odd));
    ngp_tolindex_free(on);
    ngp_tolindex_free(off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_few),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
