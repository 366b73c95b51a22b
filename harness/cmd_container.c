/* SPDX-License-Identifier: MIT */
/*
 * bench container run: the runtime on its own, process to process, so it
 * can be compared with crun, runc and bwrap. CMD's exit status passes
 * through (a signal becomes 128+N); 125 = the container could not start.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/cleanup.h"
#include "../common/util.h"
#include "../common/json.h"
#include "../runtimes/container/container.h"
#include "../runtimes/container/seccomp.h"
#include "../runtimes/layers/layers.h"
#include "commands.h"
#include "interrupt.h"
#include "pinning.h"

/* bench container seccomp-profile [--cap LIST] [default|PATH] */
static int seccomp_profile(int argc, char **argv) {
        const char *caps = NULL, *value = "default";
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--cap") && i + 1 < argc)
                        caps = argv[++i];
                else if (argv[i][0] != '-' && !strcmp(value, "default"))
                        value = argv[i];
                else {
                        fprintf(stderr, "bench container seccomp-profile: unexpected `%s`\n", argv[i]);
                        verb_usage(stderr, &container_cli);
                        return EXIT_BAD_INPUT;
                }
        }
        _cleanup_error_ bench_error *err = NULL;
        ctr_caps c;
        const ctr_sc_profile *p;
        _cleanup_json_ cJSON *o = NULL;
        if (ctr_caps_parse(caps, &c, &err) < 0 || ctr_seccomp_load(value, &p, &err) < 0) {
                fprintf(stderr, "bench container seccomp-profile: %s\n", err->msg);
                return EXIT_BAD_INPUT;
        }
        if (!p) {
                fprintf(stderr, "bench container seccomp-profile: `none` has no profile\n");
                return EXIT_BAD_INPUT;
        }
        if (ctr_seccomp_to_oci(p, c.keep, &o, &err) < 0) {
                fprintf(stderr, "bench container seccomp-profile: %s\n", err->msg);
                return EXIT_FAILED;
        }
        _cleanup_free_ char *s = cJSON_Print(o);
        if (!s)
                return EXIT_FAILED;
        printf("%s\n", s);
        return EXIT_OK;
}

/*
 * --stack SPEC: the stack a suite's `stack` option names, resolved (built or
 * imported on first use) into its layer dirs, bottom first. Exit status for
 * a failure: 2 when the spec is wrong (its form, an unknown or ambiguous id,
 * an image that is not one), else 125 (the rootfs could not be made).
 */
static int resolve_stack(const char *spec, lay_stack *ret) {
        _cleanup_error_ bench_error *err = NULL;
        int r = lay_stack_check(spec, &err);
        if (r == 0)
                r = lay_stack_resolve(spec, ret, &err);
        if (r == 0)
                return 0;
        bool bad_input = r == -EINVAL || r == -ENOENT || r == -ENOTDIR;
        /* a word that is no id of this store: say how an image gets there */
        bool word = strncmp(spec, "synth:", 6) && strncmp(spec, "oci:", 4) && !strchr(spec, '/');
        bool hex = *spec && strlen(spec) <= 16 && !spec[strspn(spec, "0123456789abcdef")];
        bool hint = word && (r == -ENOENT || !hex);
        fprintf(stderr, "bench container run: --stack `%s`: %s%s\n", spec, err ? err->msg : strerror(-r),
                hint ? "; an image is stored with `bench layers import PATH` (or named as "
                       "--stack oci:PATH), a synthesized stack as --stack synth:layers=N"
                     : "");
        return bad_input ? EXIT_BAD_INPUT : EXIT_START_FAILED;
}

/* bench container run [OPTIONS] -- CMD [ARG...] */
static int container_run(int argc, char **argv) {
        static const struct option opts[] = {
                {"layer", required_argument, NULL, 'l'},
                {"stack", required_argument, NULL, 's'},
                {"memory", required_argument, NULL, 'm'},
                {"cpus", required_argument, NULL, 'c'},
                {"pids", required_argument, NULL, 'p'},
                {"cpu-quota", required_argument, NULL, 'Q'},
                {"userns", no_argument, NULL, 'U'},
                {"timens", no_argument, NULL, 'T'},
                {"hostname", required_argument, NULL, 'H'},
                {"network", required_argument, NULL, 'n'},
                {"cap", required_argument, NULL, 'C'},
                {"readonly", no_argument, NULL, 'r'},
                {"upper", required_argument, NULL, 'u'},
                {"workdir", required_argument, NULL, 'w'},
                {"tmpfs-size", required_argument, NULL, 'S'},
                {"upper-size", required_argument, NULL, 'Z'},
                {"phases", no_argument, NULL, 'P'},
                {"seccomp", required_argument, NULL, 'X'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        /*
         * a throwaway container's writable layer lives in memory, inside its own
         * mount namespace (--upper disk puts it under --workdir, as suites do)
         */
        ctr_spec spec = {.stdin_fd = -1,
                         .stdout_fd = -1,
                         .stderr_fd = -1,
                         .network = CTR_NET_LOOPBACK,
                         .upper_tmpfs = true};
        const char *layer_args[CTR_MAX_LAYERS];
        size_t n_layer_args = 0;
        const char *stack_spec = NULL;
        const char *workdir = getenv("BENCH_WORKDIR");
        bool show_phases = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) >= 0) {
                uint64_t v;
                switch (c) {
                case 'l':
                        if (n_layer_args == CTR_MAX_LAYERS) {
                                fprintf(stderr, "bench container run: at most %d layers\n", CTR_MAX_LAYERS);
                                return EXIT_BAD_INPUT;
                        }
                        layer_args[n_layer_args++] = optarg;
                        break;
                case 's':
                        if (stack_spec) {
                                fprintf(stderr,
                                        "bench container run: --stack given twice (`%s`, `%s`): a container "
                                        "has one stack; add dirs above it with --layer\n",
                                        stack_spec, optarg);
                                return EXIT_BAD_INPUT;
                        }
                        stack_spec = optarg;
                        break;
                case 'm':
                        if (bench_parse_size(optarg, &spec.limits.memory_bytes) < 0) {
                                fprintf(stderr,
                                        "bench container run: --memory `%s`: expected a size such as 64M\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'c':
                        spec.limits.cpus = optarg;
                        break;
                case 'p':
                case 'Q':
                        if (bench_parse_uint(optarg, UINT32_MAX, &v) < 0 || v == 0) {
                                fprintf(stderr,
                                        "bench container run: --%s `%s`: expected a positive integer\n",
                                        c == 'p' ? "pids" : "cpu-quota", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        if (c == 'p')
                                spec.limits.pids_max = v;
                        else
                                spec.limits.cpu_quota_us = v;
                        break;
                case 'U':
                        spec.userns = true;
                        break;
                case 'T':
                        spec.timens = true;
                        break;
                case 'H':
                        spec.hostname = optarg;
                        break;
                case 'n':
                        if (!strcmp(optarg, "none"))
                                spec.network = CTR_NET_NONE;
                        else if (!strcmp(optarg, "loopback"))
                                spec.network = CTR_NET_LOOPBACK;
                        else {
                                fprintf(stderr,
                                        "bench container run: --network `%s`: expected none or loopback\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'C':
                        spec.caps = optarg;
                        break;
                case 'r':
                        spec.readonly_rootfs = true;
                        break;
                case 'u':
                        if (strcmp(optarg, "disk") && strcmp(optarg, "tmpfs")) {
                                fprintf(stderr, "bench container run: --upper `%s`: expected disk or tmpfs\n",
                                        optarg);
                                return EXIT_BAD_INPUT;
                        }
                        spec.upper_tmpfs = !strcmp(optarg, "tmpfs");
                        break;
                case 'w':
                        workdir = optarg;
                        break;
                case 'S':
                case 'Z':
                        if (bench_parse_size(optarg, c == 'S' ? &spec.tmpfs_size : &spec.upper_size) < 0 ||
                            (c == 'S' ? spec.tmpfs_size : spec.upper_size) == 0) {
                                fprintf(stderr,
                                        "bench container run: --%s `%s`: expected a size such as 64M\n",
                                        c == 'S' ? "tmpfs-size" : "upper-size", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case 'P':
                        show_phases = true;
                        break;
                case 'X':
                        spec.seccomp = optarg;
                        break;
                case 'h':
                        verb_usage(stdout, &container_cli);
                        return EXIT_OK;
                default:
                        verb_usage(stderr, &container_cli);
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind >= argc) {
                fprintf(stderr,
                        "bench container run: no command given (bench container run -- CMD [ARG...])\n");
                return EXIT_BAD_INPUT;
        }
        if (spec.limits.cpus) {
                cpu_set_t set;
                _cleanup_error_ bench_error *err = NULL;
                if (bench_cpulist_parse(spec.limits.cpus, &set, &err) < 0 ||
                    bench_cpulist_check_allowed(spec.limits.cpus, &err) < 0) {
                        fprintf(stderr, "bench container run: --cpus `%s`: %s\n", spec.limits.cpus,
                                err ? err->msg : "invalid");
                        return EXIT_BAD_INPUT;
                }
        }
        /*
         * the stack below the --layer dirs, as an image is below what is added
         * to it; resolved before the clock of --phases starts (a first use
         * builds or imports it)
         */
        uint64_t t_stack = bench_now_ns();
        _cleanup_(lay_stack_clear) lay_stack stack = {0};
        if (stack_spec && (c = resolve_stack(stack_spec, &stack)) != 0)
                return c;
        /*
         * bench's base layer (busybox + bench-agent) at the bottom when nothing
         * else gives the container programs: no --layer and no stack, or a
         * synthesized stack (data only); an imported image is a whole rootfs
         */
        bool with_base = stack_spec ? lay_stack_synthesized(&stack) : n_layer_args == 0;
        if (with_base + stack.n_layers + n_layer_args > CTR_MAX_LAYERS) {
                fprintf(stderr,
                        "bench container run: --stack `%s`: %zu layers, %zu --layer dirs%s: overlayfs takes "
                        "at most %d lower layers; %s\n",
                        stack_spec, stack.n_layers, n_layer_args,
                        with_base ? " and bench's base layer below a synthesized stack" : "", CTR_MAX_LAYERS,
                        with_base ? "synthesize fewer layers (bench layers synth --layers N)"
                                  : "give fewer --layer dirs");
                return EXIT_BAD_INPUT;
        }
        uint64_t t_begin = bench_now_ns();
        /* the network namespace on another cpu meanwhile: the checks below take as long as it does */
        _cleanup_(ctr_netns_unrefp) ctr_netns *netns = ctr_netns_begin(&spec);
        spec.netns = netns;
        const char *layers[CTR_MAX_LAYERS];
        size_t n_layers = 0;
        _cleanup_free_ char *base = NULL;
        if (with_base) {
                _cleanup_free_ char *agent = bench_agent_path();
                _cleanup_error_ bench_error *err = NULL;
                if (!agent || ctr_base_layer(agent, &base, &err) < 0) {
                        fprintf(stderr, "bench container run: %s\n",
                                err ? err->msg : "cannot find bench-agent");
                        return EXIT_START_FAILED;
                }
                for (char *m; (m = bench_cache_note_take()); free(m))
                        fprintf(stderr, "bench container run: %s\n", m);
                layers[n_layers++] = base;
        }
        for (size_t i = 0; i < stack.n_layers; i++)
                layers[n_layers++] = stack.layers[i];
        for (size_t i = 0; i < n_layer_args; i++)
                layers[n_layers++] = layer_args[i];
        char name[64];
        snprintf(name, sizeof(name), "bench-%d-0", (int)getpid());
        spec.name = name;
        spec.layers = layers;
        spec.n_layers = n_layers;
        spec.state_dir = workdir && *workdir ? workdir : "/var/tmp";
        spec.argv = argv + optind;

        _cleanup_error_ bench_error *err = NULL;
        /* a profile that does not load: the container cannot start (125, as docker run) */
        const ctr_sc_profile *profile;
        if (ctr_seccomp_load(spec.seccomp, &profile, &err) < 0) {
                fprintf(stderr, "bench container run: %s\n", err->msg);
                return EXIT_START_FAILED;
        }
        if (ctr_spec_check(&spec, 0, &err) < 0) {
                fprintf(stderr, "bench container run: %s\n", err->msg);
                return EXIT_BAD_INPUT;
        }
        uint64_t t_checked = bench_now_ns();
        bench_reap_stale_dirs(spec.state_dir);
        ctr_cgroup_reap_stale();
        uint64_t t_reaped = bench_now_ns();
        bench_interrupt_install();
        ctr_container *ctr = NULL;
        if (ctr_start(&spec, CTR_START_ALONE, &ctr, &err) < 0) {
                /* without bench's base layer the image must hold the command (and its ld.so) */
                bool missing = stack_spec && !with_base && err->code == ENOENT &&
                               strstr(err->msg, "failed executing");
                fprintf(stderr, "bench container run: %s%s%s%s\n", err->msg,
                        missing ? " (the rootfs is the stack `" : "", missing ? stack_spec : "",
                        missing ? n_layer_args ? "` and the --layer dirs, without bench's base layer: name a "
                                                 "program they hold)"
                                               : "` without bench's base layer: name a program the image "
                                                 "holds)"
                                : "");
                return EXIT_START_FAILED;
        }
        int status = 0;
        uint64_t t_started = bench_now_ns();
        int r = ctr_wait(ctr, -1, bench_interrupt_fd(), &status, &err);
        uint64_t t_exited = bench_now_ns();
        double ph[CTR_PHASE_N];
        memcpy(ph, ctr_phases(ctr), sizeof(ph));
        ctr_destroy(ctr);
        if (show_phases) {
                uint64_t t_end = bench_now_ns();
                if (stack_spec)
                        fprintf(stderr, "%-24s %8.3f ms\n", "run.stack_ms",
                                bench_ns_to_ms(t_begin - t_stack));
                for (int i = 0; i < CTR_PHASE_EXEC; i++)
                        fprintf(stderr, "%-24s %8.3f ms\n", ctr_phase_names[i], ph[i]);
                fprintf(stderr,
                        "%-24s %8.3f ms\n%-24s %8.3f ms\n%-24s %8.3f ms\n%-24s %8.3f ms\n%-24s %8.3f ms\n",
                        "run.checks_ms", bench_ns_to_ms(t_checked - t_begin), "run.reap_stale_ms",
                        bench_ns_to_ms(t_reaped - t_checked), "run.start_ms",
                        bench_ns_to_ms(t_started - t_reaped), "run.wait_ms",
                        bench_ns_to_ms(t_exited - t_started), "run.teardown_ms",
                        bench_ns_to_ms(t_end - t_exited));
        }
        if (r == -EINTR)
                return EXIT_INTERRUPTED;
        if (r < 0) {
                fprintf(stderr, "bench container run: %s\n", err->msg);
                return EXIT_START_FAILED;
        }
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return EXIT_SIGNALED + WTERMSIG(status);
        return EXIT_START_FAILED;
}

static const verb container_verbs[] = {
        {.name = "run",
         .args = "[OPTIONS] -- CMD [ARG...]",
         .help = "run CMD in a container (its options below)",
         .max_args = VERB_ANY,
         .run = container_run},
        {.name = "seccomp-profile",
         .args = "[--cap LIST] [default|PATH]",
         .help = "prints the profile as it applies to a container with\n"
                 "those capabilities, as an OCI linux.seccomp object (what\n"
                 "an OCI runtime would be given)",
         .max_args = VERB_ANY,
         .run = seccomp_profile},
        VERBS_HELP,
        {0},
};

/* bench container's verbs (main.c dispatches to them) */
const verb_table container_cli = {
        .prog = "bench container",
        .verbs = container_verbs,
        .footer =
                "options of run:\n"
                "  --layer DIR          a read-only layer, bottom first (repeatable); default: bench's base\n"
                "                       layer (busybox-static + bench-agent)\n"
                "  --stack SPEC         a stored stack as the bottom layers, below any --layer dirs:\n"
                "                       an id (or unique prefix) from bench layers list, oci:PATH or a\n"
                "                       path (imported first), synth:layers=N,... (built first); an image\n"
                "                       must hold CMD, a synthesized stack gets bench's base layer below it\n"
                "  --memory SIZE        memory limit (64M, 1G)\n"
                "  --cpus LIST          cpuset, e.g. 1 or 0-3\n"
                "  --pids N             pids limit\n"
                "  --cpu-quota US       CPU time per 100 ms period, in microseconds\n"
                "  --userns             new user namespace: root inside is you outside (rootless)\n"
                "  --timens             new time namespace\n"
                "  --hostname H         hostname inside (default: the container's name)\n"
                "  --network none|loopback   (default loopback: lo up, nothing else)\n"
                "  --cap LIST           capabilities kept, comma-separated (default: Docker's set; \"\" = "
                "none)\n"
                "  --readonly           read-only rootfs\n"
                "  --seccomp default|none|PATH   seccomp profile: Docker's default policy (default), none,\n"
                "                       or an OCI linux.seccomp / Docker profile JSON file\n"
                "  --upper tmpfs|disk   where the writable layer lives: a tmpfs private to the container\n"
                "                       (default) or under --workdir\n"
                "  --tmpfs-size SIZE    size of the /tmp tmpfs (default " CTR_TMPFS_SIZE_DEFAULT ")\n"
                "  --upper-size SIZE    size of the tmpfs upper (default " CTR_UPPER_SIZE_DEFAULT
                "); a disk upper cannot be\n"
                "                       bounded and refuses it\n"
                "  --workdir DIR        where upper/work dirs go (default /var/tmp or $BENCH_WORKDIR)\n"
                "  --phases             print the start phases and bench's own stages (ms) on stderr\n"
                "\n"
                "exit status: CMD's; 128+N if it was killed by signal N; 125 if the container could not "
                "start;\n"
                "2 bad usage; 130 interrupted\n",
};
