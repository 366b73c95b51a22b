/* SPDX-License-Identifier: MIT */
/*
 * Classic BPF for seccomp: an interpreter and a shortener (see bpf.h).
 *
 * The shortener reads a program as a function of (arch, nr): it follows
 * every path from the first instruction, carrying the interval of arch
 * and nr values that lead there, until the path returns a constant or
 * loads anything else (an argument: from there on the original code runs,
 * copied as it is). The leaves partition the (arch, nr) plane; runs of
 * equal leaves merge, and a binary tree over each dimension's ranges
 * replaces libseccomp's chain of compares. Built back to front, as
 * Chromium's seccomp-bpf code generator does, so that every jump is
 * forward and a jump past 255 instructions gets a `ja` of its own.
 */
#include "bpf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

/* ---- the interpreter: the kernel's semantics (net/core/filter.c, seccomp's checks) ---- */

uint32_t ctr_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d) {
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
        for (size_t pc = 0; pc < len; pc++) {
                const struct sock_filter *f = &prog[pc];
                uint32_t k = f->k;
                uint32_t src = BPF_SRC(f->code) == BPF_X ? x : k;
                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (k % 4 || k > sizeof(*d) - 4)
                                return SECCOMP_RET_KILL_THREAD; /* the kernel refuses such a program */
                        memcpy(&a, (const char *)d + k, 4);
                        continue;
                case BPF_LD | BPF_W | BPF_LEN:
                        a = sizeof(*d);
                        continue;
                case BPF_LDX | BPF_W | BPF_LEN:
                        x = sizeof(*d);
                        continue;
                case BPF_LD | BPF_IMM:
                        a = k;
                        continue;
                case BPF_LDX | BPF_IMM:
                        x = k;
                        continue;
                case BPF_LD | BPF_MEM:
                case BPF_LDX | BPF_MEM:
                case BPF_ST:
                case BPF_STX:
                        if (k >= BPF_MEMWORDS)
                                return SECCOMP_RET_KILL_THREAD;
                        if (f->code == (BPF_LD | BPF_MEM))
                                a = mem[k];
                        else if (f->code == (BPF_LDX | BPF_MEM))
                                x = mem[k];
                        else
                                mem[k] = f->code == BPF_ST ? a : x;
                        continue;
                case BPF_MISC | BPF_TAX:
                        x = a;
                        continue;
                case BPF_MISC | BPF_TXA:
                        a = x;
                        continue;
                case BPF_RET | BPF_K:
                        return k;
                case BPF_RET | BPF_A:
                        return a;
                case BPF_JMP | BPF_JA:
                        pc += k;
                        continue;
                default:
                        break;
                }
                if (BPF_CLASS(f->code) == BPF_JMP) {
                        bool c;
                        switch (BPF_OP(f->code)) {
                        case BPF_JEQ:
                                c = a == src;
                                break;
                        case BPF_JGT:
                                c = a > src;
                                break;
                        case BPF_JGE:
                                c = a >= src;
                                break;
                        case BPF_JSET:
                                c = (a & src) != 0;
                                break;
                        default:
                                return SECCOMP_RET_KILL_THREAD;
                        }
                        pc += c ? f->jt : f->jf;
                        continue;
                }
                if (BPF_CLASS(f->code) == BPF_ALU) {
                        switch (BPF_OP(f->code)) {
                        case BPF_ADD:
                                a += src;
                                break;
                        case BPF_SUB:
                                a -= src;
                                break;
                        case BPF_MUL:
                                a *= src;
                                break;
                        case BPF_DIV:
                                if (!src)
                                        return 0;
                                a /= src;
                                break;
                        case BPF_MOD:
                                if (!src)
                                        return 0;
                                a %= src;
                                break;
                        case BPF_OR:
                                a |= src;
                                break;
                        case BPF_AND:
                                a &= src;
                                break;
                        case BPF_XOR:
                                a ^= src;
                                break;
                        case BPF_LSH:
                                a = src < 32 ? a << src : 0;
                                break;
                        case BPF_RSH:
                                a = src < 32 ? a >> src : 0;
                                break;
                        case BPF_NEG:
                                a = -a;
                                break;
                        default:
                                return SECCOMP_RET_KILL_THREAD;
                        }
                        continue;
                }
                return SECCOMP_RET_KILL_THREAD;
        }
        return SECCOMP_RET_KILL_THREAD; /* fell off the end: the kernel refuses such a program */
}

/* ---- reading a program as a function of (arch, nr) ---- */

enum { NR_OFF = 0, ARCH_OFF = 4 };
/* Past this many leaves the program is not libseccomp's tree: left as it is. */
#define MAX_LEAVES 100000

typedef struct range {
        uint32_t lo, hi;
} range;

typedef struct leaf {
        range arch, nr;
        bool tail;      /* runs the original from pc on (an argument is read there) */
        uint32_t value; /* tail: the pc; else the return value */
} leaf;

typedef enum a_kind { A_CONST, A_NR, A_ARCH } a_kind;

typedef struct explorer {
        const struct sock_filter *prog;
        size_t len;
        leaf *leaves;
        size_t n, cap;
        int failed; /* -EOPNOTSUPP, -ENOMEM */
} explorer;

static void add_leaf(explorer *e, range arch, range nr, bool tail, uint32_t value) {
        if (e->n == e->cap) {
                size_t cap = e->cap ? e->cap * 2 : 256;
                leaf *l = cap <= MAX_LEAVES ? realloc(e->leaves, cap * sizeof(*l)) : NULL;
                if (!l) {
                        e->failed = cap <= MAX_LEAVES ? -ENOMEM : -EOPNOTSUPP;
                        return;
                }
                e->leaves = l;
                e->cap = cap;
        }
        e->leaves[e->n++] = (leaf){arch, nr, tail, value};
}

/* The part of r where "v op k" holds (want) or fails; up to two ranges. */
static size_t split(range r, uint16_t op, uint32_t k, bool want, range out[2]) {
        size_t n = 0;
#define PUT(l, h)                                                                                            \
        do {                                                                                                 \
                if ((l) <= (h))                                                                              \
                        out[n++] = (range){(l), (h)};                                                        \
        } while (0)
        switch (op) {
        case BPF_JEQ:
                if (k < r.lo || k > r.hi) {
                        if (!want)
                                out[n++] = r;
                } else if (want) {
                        out[n++] = (range){k, k};
                } else {
                        if (k > r.lo)
                                PUT(r.lo, k - 1);
                        if (k < r.hi)
                                PUT(k + 1, r.hi);
                }
                break;
        case BPF_JGE: /* v >= k */
                if (want) {
                        PUT(r.lo > k ? r.lo : k, r.hi);
                } else if (k > 0) {
                        PUT(r.lo, r.hi < k - 1 ? r.hi : k - 1);
                }
                break;
        case BPF_JGT: /* v > k, i.e. v >= k + 1 */
                if (want) {
                        if (k < UINT32_MAX)
                                PUT(r.lo > k + 1 ? r.lo : k + 1, r.hi);
                } else {
                        PUT(r.lo, r.hi < k ? r.hi : k);
                }
                break;
        default:
                break;
        }
#undef PUT
        return n;
}

/* Follows every path from pc with arch in ar and nr in nr; a holds kind (value if A_CONST). */
static void explore(explorer *e, size_t pc, range ar, range nr, a_kind kind, uint32_t value) {
        for (; !e->failed; pc++) {
                if (pc >= e->len) {
                        e->failed = -EOPNOTSUPP;
                        return;
                }
                const struct sock_filter *f = &e->prog[pc];
                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (f->k == NR_OFF) {
                                kind = A_NR;
                                continue;
                        }
                        if (f->k == ARCH_OFF) {
                                kind = A_ARCH;
                                continue;
                        }
                        /* an argument (or the instruction pointer): the original decides from here */
                        add_leaf(e, ar, nr, true, (uint32_t)pc);
                        return;
                case BPF_RET | BPF_K:
                        add_leaf(e, ar, nr, false, f->k);
                        return;
                case BPF_JMP | BPF_JA:
                        pc += f->k;
                        continue;
                case BPF_JMP | BPF_JEQ | BPF_K:
                case BPF_JMP | BPF_JGT | BPF_K:
                case BPF_JMP | BPF_JGE | BPF_K: {
                        uint16_t op = BPF_OP(f->code);
                        if (kind == A_CONST) {
                                bool c = op == BPF_JEQ   ? value == f->k
                                         : op == BPF_JGT ? value > f->k
                                                         : value >= f->k;
                                pc += c ? f->jt : f->jf;
                                continue;
                        }
                        range *r = kind == A_NR ? &nr : &ar;
                        range parts[2];
                        /* the true side as a new path, the false side(s) too; this loop ends here */
                        for (int want = 1; want >= 0; want--) {
                                size_t n = split(*r, op, f->k, want, parts);
                                for (size_t i = 0; i < n; i++) {
                                        range sub_ar = kind == A_ARCH ? parts[i] : ar;
                                        range sub_nr = kind == A_NR ? parts[i] : nr;
                                        explore(e, pc + 1 + (want ? f->jt : f->jf), sub_ar, sub_nr, kind,
                                                value);
                                }
                        }
                        return;
                }
                default:
                        /* arithmetic on nr, jset, the X register, scratch memory: not libseccomp's tree */
                        e->failed = -EOPNOTSUPP;
                        return;
                }
        }
}

static int explore_all(const struct sock_filter *prog, size_t len, leaf **ret, size_t *ret_n) {
        explorer e = {.prog = prog, .len = len};
        explore(&e, 0, (range){0, UINT32_MAX}, (range){0, UINT32_MAX}, A_CONST, 0);
        if (e.failed) {
                free(e.leaves);
                return e.failed;
        }
        *ret = e.leaves;
        *ret_n = e.n;
        return 0;
}

static int cmp_leaf(const void *pa, const void *pb) {
        const leaf *a = pa, *b = pb;
        if (a->arch.lo != b->arch.lo)
                return a->arch.lo < b->arch.lo ? -1 : 1;
        if (a->nr.lo != b->nr.lo)
                return a->nr.lo < b->nr.lo ? -1 : 1;
        return 0;
}

/* ---- writing a program back to front ---- */

/*
 * Instructions fill buf from its end; an instruction's label is its
 * distance from the end (1 = the last), so a jump from the instruction
 * emitted next to label L is `len - L` forward.
 */
typedef struct builder {
        struct sock_filter *buf;
        size_t cap, len;
        int failed;
} builder;

static size_t put(builder *b, struct sock_filter f) {
        if (b->len == b->cap) {
                b->failed = -EOPNOTSUPP;
                return b->len;
        }
        b->buf[b->cap - ++b->len] = f;
        return b->len;
}

static size_t put_ja(builder *b, size_t to) {
        return put(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(b->len - to), 0, 0));
}

/*
 * A conditional jump; a target past 255 instructions goes through a `ja`
 * placed right after it (which moves the other target one further: both
 * are checked again until both fit).
 */
static size_t put_cond(builder *b, uint16_t code, uint32_t k, size_t to_true, size_t to_false) {
        while (!b->failed && (b->len - to_true > 255 || b->len - to_false > 255)) {
                if (b->len - to_true > 255)
                        to_true = put_ja(b, to_true);
                else
                        to_false = put_ja(b, to_false);
        }
        return put(b, (struct sock_filter)BPF_JUMP(code, k, (uint8_t)(b->len - to_true),
                                                   (uint8_t)(b->len - to_false)));
}

typedef struct span {
        range r;
        size_t label;
} span;

/* A binary tree of `jge` over spans (sorted, covering the whole domain); returns its first label. */
static size_t put_tree(builder *b, const span *s, size_t n) {
        if (n == 1)
                return s[0].label;
        size_t mid = n / 2;
        size_t right = put_tree(b, s + mid, n - mid);
        size_t left = put_tree(b, s, mid);
        return put_cond(b, BPF_JMP | BPF_JGE | BPF_K, s[mid].r.lo, right, left);
}

/* ---- the shortener ---- */

typedef struct group {
        range arch;
        size_t first, n; /* its leaves, sorted by nr */
} group;

int ctr_bpf_shorten(const struct sock_filter *in, size_t len, struct sock_filter **ret, size_t *ret_len) {
        if (len == 0 || len > BPF_MAXINSNS)
                return -EOPNOTSUPP;
        _cleanup_free_ leaf *leaves = NULL;
        size_t n_leaves = 0;
        int r = explore_all(in, len, &leaves, &n_leaves);
        if (r < 0)
                return r;
        qsort(leaves, n_leaves, sizeof(*leaves), cmp_leaf);

        /* leaves with the same arch range form a group whose nr ranges must tile [0, 2^32) */
        _cleanup_free_ group *groups = calloc(n_leaves, sizeof(*groups));
        _cleanup_free_ span *spans = calloc(n_leaves, sizeof(*spans));
        _cleanup_free_ bool *reach = calloc(len, sizeof(*reach));
        _cleanup_free_ size_t *label = calloc(len, sizeof(*label));
        if (!groups || !spans || !reach || !label)
                return -ENOMEM;
        size_t n_groups = 0;
        for (size_t i = 0; i < n_leaves; i++) {
                group *g = n_groups ? &groups[n_groups - 1] : NULL;
                if (g && g->arch.lo == leaves[i].arch.lo) {
                        /* arch compared after nr, in different ranges: not a shape this handles */
                        if (g->arch.hi != leaves[i].arch.hi ||
                            leaves[i].nr.lo != leaves[g->first + g->n - 1].nr.hi + 1)
                                return -EOPNOTSUPP;
                        g->n++;
                        continue;
                }
                if ((g && leaves[i].arch.lo != g->arch.hi + 1) || (!g && leaves[i].arch.lo != 0) ||
                    leaves[i].nr.lo != 0)
                        return -EOPNOTSUPP;
                if (g && leaves[g->first + g->n - 1].nr.hi != UINT32_MAX)
                        return -EOPNOTSUPP;
                groups[n_groups++] = (group){leaves[i].arch, i, 1};
        }
        if (!n_groups || groups[n_groups - 1].arch.hi != UINT32_MAX ||
            leaves[n_leaves - 1].nr.hi != UINT32_MAX)
                return -EOPNOTSUPP;

        /* what the argument checks need of the original: every instruction reachable from a tail */
        for (size_t i = 0; i < n_leaves; i++)
                if (leaves[i].tail)
                        reach[leaves[i].value] = true;
        size_t n_reach = 0;
        for (size_t pc = 0; pc < len; pc++) {
                if (!reach[pc])
                        continue;
                n_reach++;
                const struct sock_filter *f = &in[pc];
                size_t next[2] = {pc + 1, pc + 1};
                if (BPF_CLASS(f->code) == BPF_RET)
                        continue;
                if (f->code == (BPF_JMP | BPF_JA))
                        next[0] = next[1] = pc + 1 + f->k;
                else if (BPF_CLASS(f->code) == BPF_JMP) {
                        next[0] = pc + 1 + f->jt;
                        next[1] = pc + 1 + f->jf;
                }
                for (int j = 0; j < 2; j++) {
                        if (next[j] >= len)
                                return -EOPNOTSUPP;
                        reach[next[j]] = true;
                }
        }

        /* room: the tails, a return per leaf, and per tree node a compare and two `ja` at most */
        builder b = {.cap = n_reach + 4 * n_leaves + 4 * n_groups + 8};
        _cleanup_free_ struct sock_filter *buf = b.buf = calloc(b.cap, sizeof(*b.buf));
        if (!buf)
                return -ENOMEM;

        /* the tails, last first: every jump in them is forward, to an instruction already placed */
        for (size_t pc = len; pc-- > 0;) {
                if (!reach[pc])
                        continue;
                struct sock_filter f = in[pc];
                if (f.code == (BPF_JMP | BPF_JA))
                        label[pc] = put_ja(&b, label[pc + 1 + f.k]);
                else if (BPF_CLASS(f.code) == BPF_JMP)
                        label[pc] = put_cond(&b, f.code, f.k, label[pc + 1 + f.jt], label[pc + 1 + f.jf]);
                else {
                        /* falls through to pc + 1, placed just before (a `ja` only ever follows a jump) */
                        label[pc] = put(&b, f);
                }
        }

        /* one return per distinct value, shared by every leaf that returns it */
        size_t ret_labels[64];
        uint32_t ret_values[64];
        size_t n_rets = 0;
        for (size_t i = 0; i < n_leaves; i++) {
                if (leaves[i].tail)
                        continue;
                size_t k = 0;
                while (k < n_rets && ret_values[k] != leaves[i].value)
                        k++;
                if (k == n_rets) {
                        if (n_rets == ELEMENTSOF(ret_values))
                                return -EOPNOTSUPP;
                        ret_values[n_rets] = leaves[i].value;
                        ret_labels[n_rets++] =
                                put(&b, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, leaves[i].value));
                }
        }
#define LEAF_LABEL(l)                                                                                        \
        ({                                                                                                   \
                size_t _k = 0;                                                                               \
                if (!(l)->tail)                                                                              \
                        while (ret_values[_k] != (l)->value)                                                 \
                                _k++;                                                                        \
                (l)->tail ? label[(l)->value] : ret_labels[_k];                                              \
        })

        /* per arch range: load nr, a tree over its nr ranges (equal neighbours merged) */
        size_t n_arch_spans = 0;
        _cleanup_free_ span *arch_spans = calloc(n_groups, sizeof(*arch_spans));
        if (!arch_spans)
                return -ENOMEM;
        for (size_t gi = n_groups; gi-- > 0;) {
                const group *g = &groups[gi];
                size_t n_spans = 0;
                for (size_t i = g->first; i < g->first + g->n; i++) {
                        size_t l = LEAF_LABEL(&leaves[i]);
                        if (n_spans && spans[n_spans - 1].label == l)
                                spans[n_spans - 1].r.hi = leaves[i].nr.hi;
                        else
                                spans[n_spans++] = (span){leaves[i].nr, l};
                }
                size_t root = put_tree(&b, spans, n_spans);
                if (n_spans > 1)
                        root = put(&b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF));
                arch_spans[gi] = (span){g->arch, root};
        }
#undef LEAF_LABEL
        /* then the arch: a tree over the arch ranges (equal neighbours merged) */
        for (size_t gi = 0; gi < n_groups; gi++) {
                if (n_arch_spans && arch_spans[n_arch_spans - 1].label == arch_spans[gi].label)
                        arch_spans[n_arch_spans - 1].r.hi = arch_spans[gi].r.hi;
                else
                        arch_spans[n_arch_spans++] = arch_spans[gi];
        }
        size_t start = put_tree(&b, arch_spans, n_arch_spans);
        if (n_arch_spans > 1)
                start = put(&b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF));
        if (b.failed)
                return b.failed;
        /* the program starts at its last instruction placed, unless a leaf alone is the start */
        if (start != b.len) {
                put_ja(&b, start);
                if (b.failed)
                        return b.failed;
        }
        struct sock_filter *out = malloc(b.len * sizeof(*out));
        if (!out)
                return -ENOMEM;
        memcpy(out, b.buf + b.cap - b.len, b.len * sizeof(*out));
        *ret = out;
        *ret_len = b.len;
        return 0;
}

/* ---- checking two programs against each other ---- */

static bool agree_at(const struct sock_filter *a, size_t a_len, const struct sock_filter *b, size_t b_len,
                     uint32_t arch, uint32_t nr, const uint32_t *vals, size_t n_vals) {
        struct seccomp_data d;
        memset(&d, 0, sizeof(d));
        d.nr = (int)nr;
        d.arch = arch;
        /* every argument 0, then all ones, then each value of the programs' constants (and ±1) */
        for (size_t v = 0; v < n_vals + 2; v++) {
                for (int i = 0; i < 6; i++) {
                        uint64_t x = v == 0 ? 0 : v == 1 ? UINT64_MAX : vals[v - 2];
                        /* the high half differs from the low one, so that 64-bit compares are told apart */
                        d.args[i] = v < 2 ? x : (x | (uint64_t)(vals[(v + (size_t)i) % n_vals]) << 32);
                }
                d.instruction_pointer = v < 2 ? 0 : vals[(v + 1) % n_vals];
                if (ctr_bpf_run(a, a_len, &d) != ctr_bpf_run(b, b_len, &d))
                        return false;
        }
        return true;
}

/*
 * The constants the argument checks of prog compare with (and their
 * neighbours), deduplicated, at most max: those of compares after a load
 * of anything but nr and arch.
 */
static size_t constants(const struct sock_filter *prog, size_t len, uint32_t *out, size_t n, size_t max) {
        bool args = false;
        for (size_t pc = 0; pc < len && n + 3 <= max; pc++) {
                const struct sock_filter *f = &prog[pc];
                if (f->code == (BPF_LD | BPF_W | BPF_ABS))
                        args = f->k != NR_OFF && f->k != ARCH_OFF;
                if (!args || (BPF_CLASS(f->code) != BPF_JMP && BPF_CLASS(f->code) != BPF_ALU) ||
                    f->code == (BPF_JMP | BPF_JA))
                        continue;
                uint32_t cand[3] = {f->k, f->k + 1, f->k - 1};
                for (int j = 0; j < 3; j++) {
                        size_t i = 0;
                        while (i < n && out[i] != cand[j])
                                i++;
                        if (i == n)
                                out[n++] = cand[j];
                }
        }
        return n;
}

bool ctr_bpf_agree(const struct sock_filter *a, size_t a_len, const struct sock_filter *b, size_t b_len) {
        uint32_t vals[48];
        size_t n_vals = constants(a, a_len, vals, 0, ELEMENTSOF(vals));
        n_vals = constants(b, b_len, vals, n_vals, ELEMENTSOF(vals));
        if (!n_vals)
                vals[n_vals++] = 1;
        /* the corners and the middle of every region either program tells apart */
        const struct sock_filter *progs[2] = {a, b};
        const size_t lens[2] = {a_len, b_len};
        for (int p = 0; p < 2; p++) {
                _cleanup_free_ leaf *leaves = NULL;
                size_t n = 0;
                if (explore_all(progs[p], lens[p], &leaves, &n) < 0)
                        return false;
                for (size_t i = 0; i < n; i++) {
                        const leaf *l = &leaves[i];
                        uint32_t am = l->arch.lo + (l->arch.hi - l->arch.lo) / 2;
                        uint32_t nm = l->nr.lo + (l->nr.hi - l->nr.lo) / 2;
                        const uint32_t pts[3][2] = {{l->arch.lo, l->nr.lo}, {l->arch.hi, l->nr.hi}, {am, nm}};
                        for (int q = 0; q < 3; q++)
                                if (!agree_at(a, a_len, b, b_len, pts[q][0], pts[q][1], vals, n_vals))
                                        return false;
                }
        }
        return true;
}
