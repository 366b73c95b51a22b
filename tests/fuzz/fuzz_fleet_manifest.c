/* SPDX-License-Identifier: MIT */
/*
 * The fleet manifest reader (results/fleet_manifest.c): a DIR/fleet.json
 * from anywhere. A file it accepts names no path outside DIR and must write
 * back unchanged by a second round trip.
 */
#include "../../results/fleet_manifest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        res_fleet *m = NULL;
        bench_error *err = NULL;
        int r = res_fleet_from_json(text, "fleet.json", &m, &err);
        free(text);
        if (r < 0) {
                if (!err || !err->msg)
                        fuzz_die("res_fleet_from_json: %s without a message", strerror(-r));
                bench_error_free(err);
                return 0;
        }
        for (size_t i = 0; i < m->n_nodes; i++)
                if (!res_fleet_name_ok(m->nodes[i].node) ||
                    (m->nodes[i].result && !res_fleet_name_ok(m->nodes[i].result)))
                        fuzz_die("accepted a node or result name that is no plain file name");
        char *once = res_fleet_to_json(m);
        if (!once)
                fuzz_die("res_fleet_to_json: NULL for a manifest the reader accepted");
        res_fleet *g = NULL;
        if (res_fleet_from_json(once, "written.json", &g, &err) < 0)
                fuzz_die("a manifest bench wrote does not read back: %s\n%s", err ? err->msg : "?", once);
        char *twice = res_fleet_to_json(g);
        if (!twice || strcmp(once, twice) != 0)
                fuzz_die("the second round trip changed the file:\n%s\n----\n%s", once,
                         twice ? twice : "NULL");
        free(once);
        free(twice);
        res_fleet_free(m);
        res_fleet_free(g);
        return 0;
}
