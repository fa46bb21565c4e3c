/*
 * parquet.c -- contam's reader of Parquet string columns (parquet.h says
 * what is covered).  Layout of a file: "PAR1", column chunks, the footer
 * (FileMetaData in the Thrift compact protocol), its 4-byte length, and
 * "PAR1" again.  Each row group has one column chunk per leaf column; a
 * chunk is an optional dictionary page and data pages, each page a Thrift
 * PageHeader then its (compressed) bytes.
 */
#include "parquet.h"

#include <brotli/decode.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lz4.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* ------------------------------------------------------------------ */
/* Thrift compact protocol                                             */

enum { T_STOP = 0, T_TRUE = 1, T_FALSE = 2, T_BYTE = 3, T_I16 = 4,
       T_I32 = 5, T_I64 = 6, T_DOUBLE = 7, T_BINARY = 8, T_LIST = 9,
       T_SET = 10, T_MAP = 11, T_STRUCT = 12 };

int cpq_uvarint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (*pos >= n)
			return CONTAM_E_FORMAT;
		uint8_t b = p[(*pos)++];
		if (shift == 63 && (b & 0x7e))
			return CONTAM_E_FORMAT;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return CONTAM_OK;
		}
	}
	return CONTAM_E_FORMAT;
}

typedef struct tin {
	const uint8_t *p;
	size_t n, pos;
	int depth;
	char msg[160];
} tin;

static int tfail(tin *t, const char *what)
{
	if (!t->msg[0])
		snprintf(t->msg, sizeof t->msg, "%s at metadata byte %zu", what,
			 t->pos);
	return CONTAM_E_FORMAT;
}

static int t_varint(tin *t, uint64_t *v)
{
	if (cpq_uvarint(t->p, t->n, &t->pos, v) < 0)
		return tfail(t, "bad varint");
	return CONTAM_OK;
}

static int t_int(tin *t, int64_t *v)
{
	uint64_t u;
	if (t_varint(t, &u) < 0)
		return CONTAM_E_FORMAT;
	*v = cpq_zigzag(u);
	return CONTAM_OK;
}

/* A length-prefixed string, checked against the bytes left. */
static int t_binary(tin *t, const uint8_t **s, size_t *len)
{
	uint64_t l;
	if (t_varint(t, &l) < 0)
		return CONTAM_E_FORMAT;
	if (l > t->n - t->pos)
		return tfail(t, "string longer than the metadata");
	*s = t->p + t->pos;
	*len = (size_t)l;
	t->pos += (size_t)l;
	return CONTAM_OK;
}

/* List header: element type and count; every element takes at least one
 * byte, so a count larger than the bytes left is damage. */
static int t_list(tin *t, int *etype, uint64_t *count)
{
	if (t->pos >= t->n)
		return tfail(t, "metadata cut");
	uint8_t h = t->p[t->pos++];
	*etype = h & 0x0f;
	uint64_t c = h >> 4;
	if (c == 15 && t_varint(t, &c) < 0)
		return CONTAM_E_FORMAT;
	if (c > t->n - t->pos)
		return tfail(t, "list longer than the metadata");
	*count = c;
	return CONTAM_OK;
}

static int skip_value(tin *t, int type);

static int skip_struct(tin *t)
{
	if (++t->depth > CPQ_MAX_DEPTH)
		return tfail(t, "metadata nested too deeply");
	for (;;) {
		if (t->pos >= t->n)
			return tfail(t, "metadata cut");
		uint8_t h = t->p[t->pos++];
		if (h == 0)
			break;
		int type = h & 0x0f;
		if ((h >> 4) == 0) {
			int64_t id;
			if (t_int(t, &id) < 0)
				return CONTAM_E_FORMAT;
		}
		if (skip_value(t, type) < 0)
			return CONTAM_E_FORMAT;
	}
	t->depth--;
	return CONTAM_OK;
}

static int skip_value(tin *t, int type)
{
	uint64_t u, c;
	const uint8_t *s;
	size_t l;
	int et;

	switch (type) {
	case T_TRUE: case T_FALSE:
		return CONTAM_OK;
	case T_BYTE:
		if (t->pos >= t->n)
			return tfail(t, "metadata cut");
		t->pos++;
		return CONTAM_OK;
	case T_I16: case T_I32: case T_I64:
		return t_varint(t, &u);
	case T_DOUBLE:
		if (t->n - t->pos < 8)
			return tfail(t, "metadata cut");
		t->pos += 8;
		return CONTAM_OK;
	case T_BINARY:
		return t_binary(t, &s, &l);
	case T_LIST: case T_SET:
		if (t_list(t, &et, &c) < 0)
			return CONTAM_E_FORMAT;
		if (++t->depth > CPQ_MAX_DEPTH)
			return tfail(t, "metadata nested too deeply");
		for (uint64_t i = 0; i < c; i++) {
			if (et == T_TRUE || et == T_FALSE) {
				if (t->pos >= t->n)
					return tfail(t, "metadata cut");
				t->pos++;
			} else if (skip_value(t, et) < 0) {
				return CONTAM_E_FORMAT;
			}
		}
		t->depth--;
		return CONTAM_OK;
	case T_MAP:
		if (t_varint(t, &c) < 0)
			return CONTAM_E_FORMAT;
		if (c == 0)
			return CONTAM_OK;
		if (c > t->n - t->pos)
			return tfail(t, "map longer than the metadata");
		if (t->pos >= t->n)
			return tfail(t, "metadata cut");
		{
			uint8_t kv = t->p[t->pos++];
			if (++t->depth > CPQ_MAX_DEPTH)
				return tfail(t, "metadata nested too deeply");
			for (uint64_t i = 0; i < c; i++) {
				int kt = kv >> 4, vt = kv & 0x0f;
				if (kt == T_TRUE || kt == T_FALSE)
					kt = T_BYTE;
				if (vt == T_TRUE || vt == T_FALSE)
					vt = T_BYTE;
				if (skip_value(t, kt) < 0 ||
				    skip_value(t, vt) < 0)
					return CONTAM_E_FORMAT;
			}
			t->depth--;
		}
		return CONTAM_OK;
	case T_STRUCT:
		return skip_struct(t);
	default:
		return tfail(t, "unknown Thrift type");
	}
}

int cpq_thrift_skip(const uint8_t *p, size_t n, size_t *pos, int type,
		    int depth, char *msg, size_t msglen)
{
	tin t = { p, n, *pos, depth, "" };
	int rc = skip_value(&t, type);
	*pos = t.pos;
	if (msg && msglen)
		snprintf(msg, msglen, "%s", t.msg);
	return rc;
}

/* Walk one struct's fields: *id and *type of the next one, 0 at STOP. */
typedef struct tfield {
	int16_t last;
} tfield;

static int t_field(tin *t, tfield *f, int *id, int *type)
{
	if (t->pos >= t->n)
		return tfail(t, "metadata cut");
	uint8_t h = t->p[t->pos++];
	if (h == 0)
		return 0;
	*type = h & 0x0f;
	if (h >> 4) {
		*id = f->last + (h >> 4);
	} else {
		int64_t v;
		if (t_int(t, &v) < 0)
			return CONTAM_E_FORMAT;
		*id = (int)v;
	}
	f->last = (int16_t)*id;
	return 1;
}

static int t_enter(tin *t)
{
	if (++t->depth > CPQ_MAX_DEPTH)
		return tfail(t, "metadata nested too deeply");
	return CONTAM_OK;
}

/* An integer field of the expected type, else the field is skipped. */
static int t_get_int(tin *t, int type, int64_t *v)
{
	if (type == T_I16 || type == T_I32 || type == T_I64 || type == T_BYTE) {
		if (type == T_BYTE) {
			if (t->pos >= t->n)
				return tfail(t, "metadata cut");
			*v = (int8_t)t->p[t->pos++];
			return 1;
		}
		if (t_int(t, v) < 0)
			return CONTAM_E_FORMAT;
		return 1;
	}
	return skip_value(t, type) < 0 ? CONTAM_E_FORMAT : 0;
}

/* ------------------------------------------------------------------ */
/* Metadata                                                            */

typedef struct snode {
	char *name;
	int type;            /* -1 for a group */
	int rep;             /* 0 required, 1 optional, 2 repeated */
	int nchild;
	int converted;       /* -1 none */
	int is_list;         /* LIST annotation (converted or logical) */
	int is_map;          /* MAP or MAP_KEY_VALUE annotation */
	int logical;         /* LogicalType's field id, 0 for none */
} snode;

typedef struct pcol {
	char *path;          /* full dotted path */
	char *logical;       /* without list wrapper levels */
	char *top;           /* first name */
	int type;
	int max_def, max_rep;
	/* Where the leaf lies, for record order (cpq_rows_each): for each
	 * schema level from the top-level field down, the node's position
	 * among its parent's children and whether it is repeated. */
	int depth;
	uint32_t *npos;
	uint8_t *nrep;
	int map_key;         /* the key of a MAP's key_value group */
	int number;          /* read as text: CPQ_NUM_* (plain integers,
	                        booleans), 0 for none */
} pcol;

enum { CPQ_NUM_SIGNED = 1, CPQ_NUM_UNSIGNED, CPQ_NUM_BOOL };

typedef struct pchunk {
	int codec;
	int type;
	int64_t num_values;
	int64_t data_off, dict_off, total_comp;
	int encrypted;
	int has_meta;
} pchunk;

typedef struct pgroup {
	int64_t num_rows;
	pchunk *chunks;      /* ncols */
} pgroup;

struct cpq {
	char *label;
	int fd;
	const uint8_t *mem;
	uint64_t size;
	uint64_t max_mem;
	uint64_t data_end;   /* where the footer starts */
	snode *nodes;
	size_t nnodes;
	pcol *cols;
	size_t ncols;
	pgroup *groups;
	size_t ngroups;
	uint64_t num_rows;
	int encrypted;
	uint32_t wpos[CPQ_MAX_DEPTH + 2];   /* walk_schema's path so far */
	uint8_t wrep[CPQ_MAX_DEPTH + 2];
	uint8_t wmap[CPQ_MAX_DEPTH + 2];
};

static int pq_fail(const cpq *f, cerr *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pq_fail(const cpq *f, cerr *err, const char *fmt, ...)
{
	char msg[CERR_MSG_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cerr_set(err, CONTAM_E_FORMAT, "'%s': Parquet: %s", f->label, msg);
}

/* Bytes [off, off+n) of the file: into buf (or pointed at, in memory). */
static int pq_read(const cpq *f, uint64_t off, size_t n, uint8_t *buf,
		   const uint8_t **at, cerr *err)
{
	if (off > f->size || n > f->size - off)
		return pq_fail(f, err, "byte range %" PRIu64 "+%zu is past the "
			       "end of the file (%" PRIu64 " bytes)", off, n,
			       f->size);
	if (f->mem) {
		*at = f->mem + off;
		return CONTAM_OK;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(f->fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					f->label, k < 0 ? strerror(errno)
					: "file shrank");
		got += (size_t)k;
	}
	*at = buf;
	return CONTAM_OK;
}

static int parse_schema_elem(tin *t, snode *s)
{
	tfield fl = { 0 };
	int id, type, rc;
	int64_t v;

	s->type = -1;
	s->rep = -1;
	s->converted = -1;
	if (t_enter(t) < 0)
		return CONTAM_E_FORMAT;
	while ((rc = t_field(t, &fl, &id, &type)) == 1) {
		if (id == 4 && type == T_BINARY) {
			const uint8_t *b;
			size_t l;
			if (t_binary(t, &b, &l) < 0)
				return CONTAM_E_FORMAT;
			free(s->name);
			s->name = malloc(l + 1);
			if (!s->name)
				return CONTAM_E_NOMEM;
			memcpy(s->name, b, l);
			s->name[l] = '\0';
			continue;
		}
		if (id == 10 && type == T_STRUCT) {
			/* LogicalType: a union; field 3 is LIST */
			tfield lf = { 0 };
			int lid, lt, r2;
			if (t_enter(t) < 0)
				return CONTAM_E_FORMAT;
			while ((r2 = t_field(t, &lf, &lid, &lt)) == 1) {
				s->logical = lid;
				if (lid == 3)
					s->is_list = 1;
				if (lid == 2)
					s->is_map = 1;
				if (skip_value(t, lt) < 0)
					return CONTAM_E_FORMAT;
			}
			if (r2 < 0)
				return r2;
			t->depth--;
			continue;
		}
		int g = t_get_int(t, type, &v);
		if (g < 0)
			return g;
		if (!g)
			continue;
		if (id == 1)
			s->type = (int)v;
		else if (id == 3)
			s->rep = (int)v;
		else if (id == 5)
			s->nchild = v < 0 ? -1 : (v > INT32_MAX ? INT32_MAX : (int)v);
		else if (id == 6) {
			s->converted = (int)v;
			if (v == 3)
				s->is_list = 1;
			if (v == 1 || v == 2)
				s->is_map = 1;
		}
	}
	if (rc < 0)
		return rc;
	t->depth--;
	return CONTAM_OK;
}

static int parse_col_meta(tin *t, pchunk *c)
{
	tfield fl = { 0 };
	int id, type, rc;
	int64_t v;

	if (t_enter(t) < 0)
		return CONTAM_E_FORMAT;
	c->has_meta = 1;
	c->dict_off = -1;
	while ((rc = t_field(t, &fl, &id, &type)) == 1) {
		int g = t_get_int(t, type, &v);
		if (g < 0)
			return g;
		if (!g)
			continue;
		switch (id) {
		case 1: c->type = (int)v; break;
		case 4: c->codec = (int)v; break;
		case 5: c->num_values = v; break;
		case 7: c->total_comp = v; break;
		case 9: c->data_off = v; break;
		case 11: c->dict_off = v; break;
		default: break;
		}
	}
	if (rc < 0)
		return rc;
	t->depth--;
	return CONTAM_OK;
}

static int parse_chunk(tin *t, pchunk *c)
{
	tfield fl = { 0 };
	int id, type, rc;

	if (t_enter(t) < 0)
		return CONTAM_E_FORMAT;
	while ((rc = t_field(t, &fl, &id, &type)) == 1) {
		if (id == 3 && type == T_STRUCT) {
			if ((rc = parse_col_meta(t, c)) < 0)
				return rc;
		} else {
			if (id == 8 || id == 9)
				c->encrypted = 1;
			if (skip_value(t, type) < 0)
				return CONTAM_E_FORMAT;
		}
	}
	if (rc < 0)
		return rc;
	t->depth--;
	return CONTAM_OK;
}

static int parse_group(tin *t, pgroup *g, size_t ncols, size_t *nchunks)
{
	tfield fl = { 0 };
	int id, type, rc;
	int64_t v;

	*nchunks = 0;
	if (t_enter(t) < 0)
		return CONTAM_E_FORMAT;
	while ((rc = t_field(t, &fl, &id, &type)) == 1) {
		if (id == 1 && type == T_LIST) {
			int et;
			uint64_t n;
			if (t_list(t, &et, &n) < 0)
				return CONTAM_E_FORMAT;
			if (et != T_STRUCT)
				return tfail(t, "row group columns are not structs");
			if (n != ncols) {
				*nchunks = (size_t)n;
				return 2;
			}
			if (!g->chunks && ncols &&
			    !(g->chunks = calloc(ncols, sizeof *g->chunks)))
				return CONTAM_E_NOMEM;
			for (uint64_t i = 0; i < n; i++)
				if ((rc = parse_chunk(t, &g->chunks[i])) < 0)
					return rc;
			*nchunks = (size_t)n;
			continue;
		}
		int gi = t_get_int(t, type, &v);
		if (gi < 0)
			return gi;
		if (gi && id == 3)
			g->num_rows = v;
	}
	if (rc < 0)
		return rc;
	t->depth--;
	return CONTAM_OK;
}

static char *join3(const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	if (a && la) {
		memcpy(s, a, la);
		s[la] = '.';
		memcpy(s + la + 1, b, lb + 1);
	} else {
		memcpy(s, b, lb + 1);
	}
	return s;
}

/* Walk the schema from node *i (depth-first, as stored), making leaves. */
static int walk_schema(cpq *f, size_t *i, int depth, int pos,
		       const char *path, const char *logical, const char *top,
		       int def, int rep, int skip_names, cerr *err)
{
	if (depth > CPQ_MAX_DEPTH)
		return pq_fail(f, err, "schema nested more than %d levels",
			       CPQ_MAX_DEPTH);
	if (*i >= f->nnodes)
		return pq_fail(f, err, "schema has fewer elements than its "
			       "groups say");
	snode *s = &f->nodes[(*i)++];
	if (!s->name)
		return pq_fail(f, err, "schema element %zu has no name", *i - 1);
	int r = s->rep < 0 ? 0 : s->rep;
	if (r > 2)
		return pq_fail(f, err, "schema element '%s' has repetition %d",
			       s->name, r);
	if (r == 1)
		def++;
	if (r == 2) {
		def++;
		rep++;
	}
	f->wpos[depth] = (uint32_t)pos;
	f->wrep[depth] = r == 2;
	f->wmap[depth] = (uint8_t)s->is_map;
	int rc = CONTAM_OK;
	char *p = join3(path, s->name);
	char *l = skip_names ? cstrdup(logical ? logical : "")
			     : join3(logical, s->name);
	char *tp = cstrdup(top ? top : s->name);
	if (!p || !l || !tp) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (s->type >= 0 && s->nchild <= 0) {
		if (f->ncols >= CPQ_MAX_COLUMNS) {
			rc = pq_fail(f, err, "more than %d columns",
				     CPQ_MAX_COLUMNS);
			goto out;
		}
		pcol *c = &f->cols[f->ncols++];
		c->path = p;
		c->logical = l;
		c->top = tp;
		c->type = s->type;
		c->max_def = def;
		c->max_rep = rep;
		c->depth = depth;
		/* integers without a date, time or decimal meaning (converted
		 * INT_8..UINT_64 or LogicalType INTEGER) and booleans */
		if ((s->type == CPQ_INT32 || s->type == CPQ_INT64) &&
		    (s->converted < 0 || (s->converted >= 11 && s->converted <= 18)) &&
		    (s->logical == 0 || s->logical == 10))
			c->number = s->converted >= 11 && s->converted <= 14
				    ? CPQ_NUM_UNSIGNED : CPQ_NUM_SIGNED;
		else if (s->type == CPQ_BOOLEAN && s->converted < 0 &&
			 s->logical == 0)
			c->number = CPQ_NUM_BOOL;
		c->map_key = depth >= 2 && pos == 0 && f->wrep[depth - 1] &&
			     (f->wmap[depth - 1] ||
			      (depth >= 3 && f->wmap[depth - 2]));
		c->npos = malloc((size_t)depth * sizeof *c->npos);
		c->nrep = malloc((size_t)depth);
		if (!c->npos || !c->nrep)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		memcpy(c->npos, f->wpos + 1, (size_t)depth * sizeof *c->npos);
		memcpy(c->nrep, f->wrep + 1, (size_t)depth);
		return CONTAM_OK;
	}
	if (s->nchild <= 0) {
		rc = pq_fail(f, err, "schema group '%s' has no children",
			     s->name);
		goto out;
	}
	for (int k = 0; k < s->nchild; k++) {
		/* Under a LIST, the repeated level and a one-child element
		 * level do not appear in the logical path. */
		int skip = 0;
		if (s->is_list && s->nchild == 1)
			skip = 1;
		else if (skip_names == 1 && s->rep == 2 && s->nchild == 1)
			skip = 2;
		rc = walk_schema(f, i, depth + 1, k, p, l, tp, def, rep,
				 skip, err);
		if (rc < 0)
			goto out;
	}
out:
	free(p);
	free(l);
	free(tp);
	return rc;
}

static int parse_footer(cpq *f, const uint8_t *m, size_t len, cerr *err)
{
	tin t = { m, len, 0, 0, "" };
	tfield fl = { 0 };
	int id, type, rc, et;
	uint64_t n;
	int have_schema = 0;
	const uint8_t *rg_at = NULL;
	size_t rg_pos = 0;
	uint64_t rg_n = 0;
	int64_t v;

	while ((rc = t_field(&t, &fl, &id, &type)) == 1) {
		if (id == 2 && type == T_LIST) {
			if (t_list(&t, &et, &n) < 0 || et != T_STRUCT)
				goto bad;
			if (have_schema)
				return pq_fail(f, err, "the footer has two schemas");
			if (n == 0 || n > CPQ_MAX_COLUMNS * 2ull)
				return pq_fail(f, err, "schema has %" PRIu64
					       " elements", n);
			f->nodes = calloc((size_t)n, sizeof *f->nodes);
			if (!f->nodes)
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
			f->nnodes = (size_t)n;
			for (uint64_t i = 0; i < n; i++) {
				rc = parse_schema_elem(&t, &f->nodes[i]);
				if (rc == CONTAM_E_NOMEM)
					return cerr_set(err, rc, "out of memory");
				if (rc < 0)
					goto bad;
			}
			have_schema = 1;
		} else if (id == 4 && type == T_LIST) {
			/* Row groups are parsed once the schema is known
			 * (it comes first in every writer, but need not). */
			rg_pos = t.pos;
			rg_at = m;
			if (skip_value(&t, type) < 0)
				goto bad;
		} else if (id == 8) {
			f->encrypted = 1;
			if (skip_value(&t, type) < 0)
				goto bad;
		} else {
			int g = t_get_int(&t, type, &v);
			if (g < 0)
				goto bad;
			if (g && id == 3)
				f->num_rows = v < 0 ? 0 : (uint64_t)v;
		}
	}
	if (rc < 0)
		goto bad;
	if (f->encrypted)
		return pq_fail(f, err, "encrypted columns (encryption_algorithm "
			       "in the footer) are not supported");
	if (!have_schema)
		return pq_fail(f, err, "the footer has no schema");
	f->cols = calloc(f->nnodes, sizeof *f->cols);
	if (!f->cols)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	{
		snode *root = &f->nodes[0];
		size_t i = 1;
		if (root->nchild < 0)
			return pq_fail(f, err, "the schema root has %d children",
				       root->nchild);
		for (int k = 0; k < root->nchild; k++)
			if ((rc = walk_schema(f, &i, 1, k, NULL, NULL, NULL, 0,
					      0, 0, err)) < 0)
				return rc;
		if (i != f->nnodes)
			return pq_fail(f, err, "schema has %zu elements, its "
				       "groups hold %zu", f->nnodes, i);
	}
	if (rg_at) {
		t.pos = rg_pos;
		t.depth = 0;
		if (t_list(&t, &et, &rg_n) < 0 || et != T_STRUCT)
			goto bad;
		f->groups = calloc(rg_n ? (size_t)rg_n : 1, sizeof *f->groups);
		if (!f->groups)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		f->ngroups = (size_t)rg_n;
		uint64_t rows = 0;
		for (uint64_t g = 0; g < rg_n; g++) {
			size_t nch = 0;
			rc = parse_group(&t, &f->groups[g], f->ncols, &nch);
			if (rc == CONTAM_E_NOMEM)
				return cerr_set(err, rc, "out of memory");
			if (rc == 2)
				return pq_fail(f, err, "row group %" PRIu64
					       " has %zu columns, the schema "
					       "%zu", g, nch, f->ncols);
			if (rc < 0)
				goto bad;
			if (nch != f->ncols)
				return pq_fail(f, err, "row group %" PRIu64
					       " has %zu columns, the schema "
					       "%zu", g, nch, f->ncols);
			if (f->groups[g].num_rows < 0)
				return pq_fail(f, err, "row group %" PRIu64
					       " has %" PRId64 " rows", g,
					       f->groups[g].num_rows);
			rows += (uint64_t)f->groups[g].num_rows;
		}
		/* The row groups are what is read; some writers leave the
		 * footer's total at 0 (repeated_no_annotation.parquet). */
		f->num_rows = rows;
	} else {
		f->num_rows = 0;
	}
	return CONTAM_OK;
bad:
	return pq_fail(f, err, "damaged footer metadata (%s)",
		       t.msg[0] ? t.msg : "bad Thrift");
}

int cpq_open(cpq **out, const char *path, const void *mem, size_t memlen,
	     uint64_t max_mem, cerr *err)
{
	cpq *f = calloc(1, sizeof *f);
	uint8_t tail[8], head[4];
	uint8_t *foot = NULL;
	const uint8_t *at;
	int rc;

	*out = NULL;
	if (!f)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	f->fd = -1;
	f->max_mem = max_mem ? max_mem : 256u * 1024u * 1024u;
	f->label = cstrdup(path ? path : "(memory)");
	if (!f->label) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (mem) {
		f->mem = mem;
		f->size = memlen;
	} else {
		struct stat st;
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0 || fstat(f->fd, &st) < 0) {
			rc = cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s",
				      path, strerror(errno));
			goto out;
		}
		f->size = (uint64_t)st.st_size;
	}
	if (f->size < 12) {
		rc = pq_fail(f, err, "too short for a Parquet file (%" PRIu64
			     " bytes)", f->size);
		goto out;
	}
	if ((rc = pq_read(f, 0, 4, head, &at, err)) < 0)
		goto out;
	if (memcmp(at, "PAR1", 4) != 0) {
		rc = pq_fail(f, err, "no PAR1 magic at the start: not a "
			     "Parquet file, or damaged");
		goto out;
	}
	if ((rc = pq_read(f, f->size - 8, 8, tail, &at, err)) < 0)
		goto out;
	if (memcmp(at + 4, "PARE", 4) == 0) {
		rc = pq_fail(f, err, "encrypted footer (magic PARE): Parquet "
			     "encryption is not supported");
		goto out;
	}
	if (memcmp(at + 4, "PAR1", 4) != 0) {
		rc = pq_fail(f, err, "no PAR1 magic at the end: the file is "
			     "cut or damaged");
		goto out;
	}
	uint32_t flen = (uint32_t)at[0] | (uint32_t)at[1] << 8 |
			(uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
	if (flen == 0 || flen > f->size - 12 || flen > CPQ_MAX_FOOTER) {
		rc = pq_fail(f, err, "footer length %u does not fit the file "
			     "(%" PRIu64 " bytes)", flen, f->size);
		goto out;
	}
	f->data_end = f->size - 8 - flen;
	if (!f->mem && !(foot = malloc(flen))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = pq_read(f, f->data_end, flen, foot, &at, err)) < 0)
		goto out;
	if ((rc = parse_footer(f, at, flen, err)) < 0)
		goto out;
	*out = f;
	f = NULL;
out:
	free(foot);
	cpq_free(f);
	return rc;
}

void cpq_free(cpq *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	for (size_t i = 0; i < f->nnodes; i++)
		free(f->nodes[i].name);
	free(f->nodes);
	for (size_t i = 0; i < f->ncols; i++) {
		free(f->cols[i].path);
		free(f->cols[i].logical);
		free(f->cols[i].top);
		free(f->cols[i].npos);
		free(f->cols[i].nrep);
	}
	free(f->cols);
	for (size_t i = 0; i < f->ngroups; i++)
		free(f->groups[i].chunks);
	free(f->groups);
	free(f->label);
	free(f);
}

uint64_t cpq_num_rows(const cpq *f) { return f->num_rows; }
size_t cpq_num_row_groups(const cpq *f) { return f->ngroups; }
size_t cpq_num_columns(const cpq *f) { return f->ncols; }
const char *cpq_column_path(const cpq *f, size_t c) { return f->cols[c].path; }
int cpq_column_type(const cpq *f, size_t c) { return f->cols[c].type; }

const char *cpq_type_name(int type)
{
	static const char *const names[] = {
		"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE",
		"BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"
	};
	return type >= 0 && type < 8 ? names[type] : "unknown type";
}

static int path_under(const char *path, const char *field)
{
	size_t k = strlen(field);
	if (strcmp(path, field) == 0)
		return 1;
	return strncmp(path, field, k) == 0 && path[k] == '.';
}

size_t cpq_select(const cpq *f, const char *field, size_t *cols, size_t max)
{
	size_t n = 0;
	/* "*": every string column, in schema order */
	if (strcmp(field, "*") == 0) {
		for (size_t i = 0; i < f->ncols && n < max; i++)
			if (f->cols[i].type == CPQ_BYTE_ARRAY)
				cols[n++] = i;
		return n;
	}
	/* Exact names first (full or logical path), then groups. */
	for (int pass = 0; pass < 2 && n == 0; pass++)
		for (size_t i = 0; i < f->ncols && n < max; i++) {
			const pcol *c = &f->cols[i];
			int hit = pass == 0
				? strcmp(c->path, field) == 0 ||
				  strcmp(c->logical, field) == 0
				: path_under(c->path, field) ||
				  path_under(c->logical, field);
			if (hit)
				cols[n++] = i;
		}
	return n;
}

void cpq_names(const cpq *f, char *out, size_t outlen)
{
	/* the paths --field and --text-field take: a leaf's logical path
	 * ("messages.content" for messages.list.element.content), so that a
	 * struct or list column shows what is inside it */
	size_t used = 0, shown = 0, names = 0;
	out[0] = '\0';
	for (size_t i = 0; i < f->ncols; i++) {
		const char *t = f->cols[i].logical;
		int seen = 0;
		size_t same_top = 0; /* leaves of its top-level field before it */
		for (size_t j = 0; j < i; j++) {
			if (strcmp(f->cols[j].logical, t) == 0)
				seen = 1;
			same_top += strcmp(f->cols[j].top, f->cols[i].top) == 0;
		}
		if (seen)
			continue;
		names++;
		/* a wide struct shows its first 3 leaves, so that the
		 * fields after it are listed too */
		if (shown == 16 || same_top >= 3 || used >= outlen)
			continue;
		int k = snprintf(out + used, outlen - used, "%s'%s'",
				 shown ? ", " : "", t);
		if (k < 0 || (size_t)k >= outlen - used) {
			used = outlen;
			continue;
		}
		used += (size_t)k;
		shown++;
	}
	if (names > shown && used < outlen)
		snprintf(out + used, outlen - used, ", and %zu more", names - shown);
}

/* ------------------------------------------------------------------ */
/* Level and value decoders                                            */

static uint64_t bits_le(const uint8_t *p, size_t bitpos, int width)
{
	uint64_t v = 0;
	for (int b = 0; b < width; b++) {
		size_t bit = bitpos + (size_t)b;
		v |= (uint64_t)((p[bit >> 3] >> (bit & 7)) & 1) << b;
	}
	return v;
}

int cpq_rle_decode(const uint8_t *p, size_t n, int width, uint32_t *out,
		   size_t count, size_t *used)
{
	size_t pos = 0, got = 0;
	if (width < 0 || width > 32)
		return CONTAM_E_FORMAT;
	if (width == 0) {
		memset(out, 0, count * sizeof *out);
		if (used)
			*used = 0;
		return CONTAM_OK;
	}
	while (got < count) {
		uint64_t h;
		if (cpq_uvarint(p, n, &pos, &h) < 0)
			return CONTAM_E_FORMAT;
		if (h & 1) {
			uint64_t groups = h >> 1;
			if (groups == 0 || groups > (n - pos) / (size_t)width)
				return CONTAM_E_FORMAT;
			size_t vals = (size_t)groups * 8;
			for (size_t k = 0; k < vals && got < count; k++)
				out[got++] = (uint32_t)bits_le(p + pos,
							       k * (size_t)width,
							       width);
			pos += (size_t)groups * (size_t)width;
		} else {
			uint64_t run = h >> 1;
			size_t vb = ((size_t)width + 7) / 8;
			if (vb > n - pos || run == 0)
				return CONTAM_E_FORMAT;
			uint32_t v = 0;
			for (size_t k = 0; k < vb; k++)
				v |= (uint32_t)p[pos + k] << (8 * k);
			pos += vb;
			if (width < 32 && (v >> width))
				return CONTAM_E_FORMAT;
			for (uint64_t k = 0; k < run && got < count; k++)
				out[got++] = v;
		}
	}
	if (used)
		*used = pos;
	return CONTAM_OK;
}

int cpq_delta_decode(const uint8_t *p, size_t n, int64_t *out, size_t max,
		     size_t *count, size_t *used)
{
	size_t pos = 0;
	uint64_t bsize, nmini, total, z;
	if (cpq_uvarint(p, n, &pos, &bsize) < 0 ||
	    cpq_uvarint(p, n, &pos, &nmini) < 0 ||
	    cpq_uvarint(p, n, &pos, &total) < 0 ||
	    cpq_uvarint(p, n, &pos, &z) < 0)
		return CONTAM_E_FORMAT;
	if (bsize == 0 || bsize % 128 || bsize > 1u << 20 || nmini == 0 ||
	    nmini > bsize || bsize % nmini || (bsize / nmini) % 32)
		return CONTAM_E_FORMAT;
	if (total > max)
		return CONTAM_E_FORMAT;
	*count = (size_t)total;
	if (total == 0) {
		*used = pos;
		return CONTAM_OK;
	}
	uint64_t cur = (uint64_t)cpq_zigzag(z);
	size_t got = 0;
	out[got++] = (int64_t)cur;
	size_t per = (size_t)(bsize / nmini);
	while (got < total) {
		uint64_t mz;
		if (cpq_uvarint(p, n, &pos, &mz) < 0)
			return CONTAM_E_FORMAT;
		uint64_t mind = (uint64_t)cpq_zigzag(mz);
		if (nmini > n - pos)
			return CONTAM_E_FORMAT;
		const uint8_t *widths = p + pos;
		pos += (size_t)nmini;
		for (size_t m = 0; m < nmini && got < total; m++) {
			int w = widths[m];
			if (w > 64)
				return CONTAM_E_FORMAT;
			size_t bytes = per / 8 * (size_t)w;
			if (bytes > n - pos)
				return CONTAM_E_FORMAT;
			for (size_t k = 0; k < per && got < total; k++) {
				uint64_t d = w ? bits_le(p + pos, k * (size_t)w, w)
					       : 0;
				cur += mind + d;
				out[got++] = (int64_t)cur;
			}
			pos += bytes;
		}
	}
	*used = pos;
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* Decompression                                                       */

static const char *codec_name(int c)
{
	static const char *const names[] = {
		"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4",
		"ZSTD", "LZ4_RAW"
	};
	return c >= 0 && c < 8 ? names[c] : "unknown";
}

static int hadoop_lz4(const uint8_t *src, size_t sn, uint8_t *dst, size_t dn)
{
	size_t sp = 0, dp = 0;
	while (sp < sn) {
		if (sn - sp < 8)
			return -1;
		uint32_t ulen = (uint32_t)src[sp] << 24 | (uint32_t)src[sp + 1] << 16 |
				(uint32_t)src[sp + 2] << 8 | src[sp + 3];
		uint32_t clen = (uint32_t)src[sp + 4] << 24 |
				(uint32_t)src[sp + 5] << 16 |
				(uint32_t)src[sp + 6] << 8 | src[sp + 7];
		sp += 8;
		if (clen > sn - sp || ulen > dn - dp || clen > INT32_MAX ||
		    ulen > INT32_MAX)
			return -1;
		int k = LZ4_decompress_safe((const char *)src + sp,
					    (char *)dst + dp, (int)clen,
					    (int)ulen);
		if (k < 0 || (uint32_t)k != ulen)
			return -1;
		sp += clen;
		dp += ulen;
	}
	return dp == dn ? 0 : -1;
}

/* Decompress src into dst of exactly dn bytes; a message on failure. */
static int decompress(int codec, const uint8_t *src, size_t sn, uint8_t *dst,
		      size_t dn, char *msg, size_t msglen)
{
	switch (codec) {
	case 0:
		if (sn != dn)
			goto size;
		memcpy(dst, src, sn);
		return 0;
	case 1: {
		size_t ul = 0;
		if (snappy_uncompressed_length((const char *)src, sn, &ul) !=
		    SNAPPY_OK)
			goto bad;
		if (ul != dn)
			goto size;
		size_t got = dn;
		if (snappy_uncompress((const char *)src, sn, (char *)dst,
				      &got) != SNAPPY_OK || got != dn)
			goto bad;
		return 0;
	}
	case 2: {
		/* several gzip members may follow each other */
		size_t sp = 0, dp = 0;
		while (sp < sn) {
			z_stream z;
			memset(&z, 0, sizeof z);
			if (inflateInit2(&z, 15 + 32) != Z_OK)
				goto bad;
			z.next_in = (Bytef *)(uintptr_t)(src + sp);
			z.avail_in = (uInt)(sn - sp > UINT32_MAX ? UINT32_MAX
								 : sn - sp);
			z.next_out = dst + dp;
			z.avail_out = (uInt)(dn - dp > UINT32_MAX ? UINT32_MAX
								  : dn - dp);
			int zr = inflate(&z, Z_FINISH);
			size_t in_used = z.total_in, out_made = z.total_out;
			inflateEnd(&z);
			if (zr != Z_STREAM_END) {
				if (zr == Z_BUF_ERROR && z.avail_out == 0)
					goto size;
				goto bad;
			}
			sp += in_used;
			dp += out_made;
			/* trailing zero padding after the last member */
			while (sp < sn && src[sp] == 0)
				sp++;
		}
		if (dp != dn)
			goto size;
		return 0;
	}
	case 4: {
		size_t got = dn;
		if (BrotliDecoderDecompress(sn, src, &got, dst) !=
		    BROTLI_DECODER_RESULT_SUCCESS)
			goto bad;
		if (got != dn)
			goto size;
		return 0;
	}
	case 5:
		if (hadoop_lz4(src, sn, dst, dn) == 0)
			return 0;
		/* some writers put raw LZ4 blocks under the LZ4 codec */
		/* fall through */
	case 7: {
		if (sn > INT32_MAX || dn > INT32_MAX)
			goto bad;
		int k = LZ4_decompress_safe((const char *)src, (char *)dst,
					    (int)sn, (int)dn);
		if (k < 0)
			goto bad;
		if ((size_t)k != dn)
			goto size;
		return 0;
	}
	case 6: {
		size_t k = ZSTD_decompress(dst, dn, src, sn);
		if (ZSTD_isError(k)) {
			/* a frame that says it is larger than the page */
			unsigned long long fs = ZSTD_getFrameContentSize(src, sn);
			if (fs != ZSTD_CONTENTSIZE_ERROR &&
			    fs != ZSTD_CONTENTSIZE_UNKNOWN && fs > dn)
				goto size;
			goto bad;
		}
		if (k != dn)
			goto size;
		return 0;
	}
	default:
		snprintf(msg, msglen, "unsupported codec %s (%d)",
			 codec_name(codec), codec);
		return -2;
	}
size:
	snprintf(msg, msglen, "%s data does not decompress to the %zu bytes "
		 "the page header says", codec_name(codec), dn);
	return -1;
bad:
	snprintf(msg, msglen, "damaged %s data", codec_name(codec));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Column chunks                                                       */

typedef struct pdecoded {
	cbuf data;            /* values, concatenated */
	size_t *voff;         /* nvals + 1 offsets */
	size_t nvals, vcap;
	size_t *rowv;         /* first value of each row; nrows + 1 */
	size_t nrows, rcap;
	uint32_t *vrep;       /* max_rep list indices of each value */
	size_t vrcap;
} pdecoded;

struct cpq_rows {
	cpq *f;
	size_t *cols;
	size_t ncols;
	pdecoded *dec;        /* per selected column, current row group */
	size_t group;         /* next row group to load */
	int loaded;
	uint64_t row_in_group, group_rows;
	uint64_t row_base;    /* rows before the current group */
	uint64_t nulls;
	uint64_t bytes_in;
	uint8_t *chunk;       /* compressed bytes of a chunk */
	size_t chunk_cap;
	uint8_t *page;        /* one decompressed page */
	size_t page_cap;
	uint32_t *lv_def, *lv_rep, *idx;
	size_t lv_cap;
	int64_t *dl;          /* delta lengths */
	int64_t *dp;          /* delta prefixes */
	size_t dl_cap;
	/* the dictionary of the chunk being read */
	cbuf dict;
	size_t *doff;
	size_t ndict;
	cbuf prev;            /* DELTA_BYTE_ARRAY: the previous value */
	size_t *head;         /* cpq_rows_each: next value of each column */
	size_t *heap;         /* cpq_rows_each: columns with values left */
	uint64_t group_bytes; /* decoded strings of the current row group */
	uint64_t group_levels; /* page values (levels) of the current row group */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return CONTAM_OK;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return CONTAM_E_NOMEM;
	*p = q;
	*cap = nc;
	return CONTAM_OK;
}

typedef struct pctx {
	cpq_rows *r;
	const pcol *col;
	const pchunk *ch;
	uint64_t rg;
	cerr *err;
} pctx;

static int col_fail(const pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int col_fail(const pctx *c, const char *fmt, ...)
{
	char msg[CERR_MSG_MAX - 128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cerr_set(c->err, CONTAM_E_FORMAT,
			"'%s': Parquet column '%s', row group %" PRIu64 ": %s",
			c->r->f->label, c->col->path, c->rg, msg);
}

static int add_value(pctx *c, pdecoded *d, const uint8_t *s, size_t n)
{
	cpq_rows *r = c->r;
	/* all selected columns of the row group together: a dictionary
	 * page may expand to far more than the file holds */
	if (r->group_bytes + n > r->f->max_mem * 2)
		return col_fail(c, "decoded strings of the row group exceed the "
				"memory ceiling of %" PRIu64 " bytes",
				r->f->max_mem * 2);
	r->group_bytes += n;
	if (grow((void **)&d->voff, &d->vcap, d->nvals + 2, sizeof *d->voff) < 0 ||
	    cbuf_append(&d->data, s, n) < 0)
		return cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
	d->voff[++d->nvals] = d->data.len;
	return CONTAM_OK;
}

/* An integer of a number column as text, as JSON writes it. */
static size_t num_text(const pcol *col, int64_t v, char *out, size_t outlen)
{
	int k;
	if (col->number == CPQ_NUM_BOOL)
		k = snprintf(out, outlen, "%s", v ? "true" : "false");
	else if (col->number == CPQ_NUM_UNSIGNED)
		k = snprintf(out, outlen, "%" PRIu64, col->type == CPQ_INT32
			     ? (uint64_t)(uint32_t)v : (uint64_t)v);
	else
		k = snprintf(out, outlen, "%" PRId64, col->type == CPQ_INT32
			     ? (int64_t)(int32_t)v : v);
	return k > 0 ? (size_t)k : 0;
}

/* PLAIN integers (4 or 8 bytes, little-endian) as text: into d, or into
 * a dictionary (into, offs). */
static int plain_numbers(pctx *c, const uint8_t *p, size_t n, size_t nv,
			 cbuf *into, size_t **offs, size_t *cap, size_t *count,
			 pdecoded *d)
{
	size_t w = c->col->type == CPQ_INT64 ? 8 : 4;
	char t[32];
	if (nv > n / w)
		return col_fail(c, "PLAIN values cut (%zu of %zu bytes)", n,
				nv * w);
	for (size_t i = 0; i < nv; i++) {
		uint64_t v = 0;
		for (size_t b = 0; b < w; b++)
			v |= (uint64_t)p[i * w + b] << (8 * b);
		size_t tl = num_text(c->col, (int64_t)v, t, sizeof t);
		if (d) {
			if (add_value(c, d, (const uint8_t *)t, tl) < 0)
				return CONTAM_E_FORMAT;
		} else {
			if (grow((void **)offs, cap, *count + 2, sizeof **offs) < 0 ||
			    cbuf_append(into, t, tl) < 0)
				return cerr_set(c->err, CONTAM_E_NOMEM,
						"out of memory");
			(*offs)[++*count] = into->len;
		}
	}
	return CONTAM_OK;
}

/* Levels of a v1 page: RLE with a 4-byte length prefix (or the old
 * BIT_PACKED encoding, rejected). */
static int levels_v1(pctx *c, const uint8_t *p, size_t n, size_t *pos,
		     int maxl, int enc, uint32_t *out, size_t count)
{
	int width = 0;
	while ((1 << width) <= maxl)
		width++;
	if (enc != 3)
		return col_fail(c, "level encoding %d is not supported (only "
				"RLE)", enc);
	if (n - *pos < 4)
		return col_fail(c, "page cut in its levels");
	uint32_t len = (uint32_t)p[*pos] | (uint32_t)p[*pos + 1] << 8 |
		       (uint32_t)p[*pos + 2] << 16 | (uint32_t)p[*pos + 3] << 24;
	*pos += 4;
	if (len > n - *pos)
		return col_fail(c, "levels longer than the page");
	if (cpq_rle_decode(p + *pos, len, width, out, count, NULL) < 0)
		return col_fail(c, "damaged levels");
	for (size_t i = 0; i < count; i++)
		if (out[i] > (uint32_t)maxl)
			return col_fail(c, "level %u over the maximum %d",
					out[i], maxl);
	*pos += len;
	return CONTAM_OK;
}

static int levels_v2(pctx *c, const uint8_t *p, size_t len, int maxl,
		     uint32_t *out, size_t count)
{
	int width = 0;
	while ((1 << width) <= maxl)
		width++;
	if (maxl == 0) {
		memset(out, 0, count * sizeof *out);
		return CONTAM_OK;
	}
	if (cpq_rle_decode(p, len, width, out, count, NULL) < 0)
		return col_fail(c, "damaged levels");
	for (size_t i = 0; i < count; i++)
		if (out[i] > (uint32_t)maxl)
			return col_fail(c, "level %u over the maximum %d",
					out[i], maxl);
	return CONTAM_OK;
}

static int plain_values(pctx *c, const uint8_t *p, size_t n, size_t nv,
			cbuf *into, size_t **offs, size_t *cap, size_t *count,
			pdecoded *d)
{
	size_t pos = 0;
	for (size_t i = 0; i < nv; i++) {
		if (n - pos < 4)
			return col_fail(c, "PLAIN values cut (value %zu of %zu)",
					i, nv);
		uint32_t l = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 |
			     (uint32_t)p[pos + 2] << 16 |
			     (uint32_t)p[pos + 3] << 24;
		pos += 4;
		if (l > n - pos)
			return col_fail(c, "PLAIN value %zu longer than the page",
					i);
		if (d) {
			if (add_value(c, d, p + pos, l) < 0)
				return CONTAM_E_FORMAT;
		} else {
			if (grow((void **)offs, cap, *count + 2, sizeof **offs) < 0 ||
			    cbuf_append(into, p + pos, l) < 0)
				return cerr_set(c->err, CONTAM_E_NOMEM,
						"out of memory");
			(*offs)[++*count] = into->len;
		}
		pos += l;
	}
	return CONTAM_OK;
}

static int decode_values(pctx *c, pdecoded *d, int enc, const uint8_t *p,
			 size_t n, size_t nv)
{
	cpq_rows *r = c->r;
	char t[32];
	if (nv == 0)
		return CONTAM_OK;
	if (c->col->type != CPQ_BYTE_ARRAY && enc != 2 && enc != 8) {
		/* a number column: PLAIN, DELTA_BINARY_PACKED, booleans
		 * bit-packed (PLAIN) or RLE */
		if (c->col->number == CPQ_NUM_BOOL && (enc == 0 || enc == 3)) {
			size_t pos = 0;
			if (enc == 3) {
				if (n < 4)
					return col_fail(c, "RLE booleans cut");
				uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
					       (uint32_t)p[2] << 16 |
					       (uint32_t)p[3] << 24;
				if (len > n - 4 || cpq_rle_decode(p + 4, len, 1,
							r->idx, nv, NULL) < 0)
					return col_fail(c, "damaged RLE booleans");
			} else if (nv > (n - pos) * 8) {
				return col_fail(c, "PLAIN booleans cut");
			}
			for (size_t i = 0; i < nv; i++) {
				int v = enc == 3 ? (int)r->idx[i]
						 : (p[i >> 3] >> (i & 7)) & 1;
				size_t tl = num_text(c->col, v, t, sizeof t);
				if (add_value(c, d, (const uint8_t *)t, tl) < 0)
					return CONTAM_E_FORMAT;
			}
			return CONTAM_OK;
		}
		if (c->col->number == CPQ_NUM_BOOL || !c->col->number)
			return col_fail(c, "unsupported encoding %d for a %s "
					"column", enc, cpq_type_name(c->col->type));
		if (enc == 0)
			return plain_numbers(c, p, n, nv, NULL, NULL, NULL, NULL, d);
		if (enc == 5) {
			size_t cnt = 0, used = 0;
			if (grow((void **)&r->dl, &r->dl_cap, nv, sizeof *r->dl) < 0)
				return cerr_set(c->err, CONTAM_E_NOMEM,
						"out of memory");
			if (cpq_delta_decode(p, n, r->dl, nv, &cnt, &used) < 0 ||
			    cnt != nv)
				return col_fail(c, "damaged DELTA_BINARY_PACKED "
						"values");
			for (size_t i = 0; i < nv; i++) {
				size_t tl = num_text(c->col, r->dl[i], t, sizeof t);
				if (add_value(c, d, (const uint8_t *)t, tl) < 0)
					return CONTAM_E_FORMAT;
			}
			return CONTAM_OK;
		}
		return col_fail(c, "unsupported encoding %d for a %s column",
				enc, cpq_type_name(c->col->type));
	}
	switch (enc) {
	case 0:
		return plain_values(c, p, n, nv, NULL, NULL, NULL, NULL, d);
	case 2: case 8: {
		if (!r->doff)
			return col_fail(c, "dictionary-encoded page without a "
					"dictionary page");
		if (n < 1)
			return col_fail(c, "dictionary indices missing");
		int w = p[0];
		if (w > 32)
			return col_fail(c, "dictionary index bit width %d is "
					"over 32", w);
		/* idx was sized with the levels: nv <= levels < lv_cap */
		if (cpq_rle_decode(p + 1, n - 1, w, r->idx, nv, NULL) < 0)
			return col_fail(c, "damaged dictionary indices");
		for (size_t i = 0; i < nv; i++) {
			uint32_t k = r->idx[i];
			if (k >= r->ndict)
				return col_fail(c, "dictionary index %u out of "
						"%zu entries", k, r->ndict);
			if (add_value(c, d, (const uint8_t *)r->dict.data +
				      r->doff[k], r->doff[k + 1] - r->doff[k]) < 0)
				return CONTAM_E_FORMAT;
		}
		return CONTAM_OK;
	}
	case 6: case 7: {
		size_t pos = 0, cnt = 0, used = 0;
		if (grow((void **)&r->dl, &r->dl_cap, nv, sizeof *r->dl) < 0)
			return cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
		size_t cap2 = r->dl_cap;
		if (enc == 7) {
			void *q = realloc(r->dp, cap2 * sizeof *r->dp);
			if (!q)
				return cerr_set(c->err, CONTAM_E_NOMEM,
						"out of memory");
			r->dp = q;
			if (cpq_delta_decode(p, n, r->dp, nv, &cnt, &used) < 0 ||
			    cnt != nv)
				return col_fail(c, "damaged DELTA_BYTE_ARRAY "
						"prefix lengths");
			pos = used;
		}
		if (cpq_delta_decode(p + pos, n - pos, r->dl, nv, &cnt, &used) < 0 ||
		    cnt != nv)
			return col_fail(c, "damaged %s lengths",
					enc == 6 ? "DELTA_LENGTH_BYTE_ARRAY"
						 : "DELTA_BYTE_ARRAY suffix");
		pos += used;
		cbuf_reset(&r->prev); /* prefixes start again in each page */
		for (size_t i = 0; i < nv; i++) {
			int64_t l = r->dl[i];
			if (l < 0 || (uint64_t)l > n - pos)
				return col_fail(c, "value %zu of length %" PRId64
						" does not fit the page", i, l);
			if (enc == 6) {
				if (add_value(c, d, p + pos, (size_t)l) < 0)
					return CONTAM_E_FORMAT;
			} else {
				int64_t pre = r->dp[i];
				if (pre < 0 || (uint64_t)pre > r->prev.len)
					return col_fail(c, "prefix length %" PRId64
							" longer than the previous "
							"value", pre);
				r->prev.len = (size_t)pre;
				if (cbuf_append(&r->prev, p + pos, (size_t)l) < 0)
					return cerr_set(c->err, CONTAM_E_NOMEM,
							"out of memory");
				if (add_value(c, d, (const uint8_t *)r->prev.data,
					      r->prev.len) < 0)
					return CONTAM_E_FORMAT;
			}
			pos += (size_t)l;
		}
		return CONTAM_OK;
	}
	default:
		return col_fail(c, "unsupported encoding %d for a string column",
				enc);
	}
}

/* Rows and nulls from the levels of one page. */
static int apply_levels(pctx *c, pdecoded *d, size_t nlev, size_t *nv)
{
	cpq_rows *r = c->r;
	size_t vals = 0;
	for (size_t i = 0; i < nlev; i++) {
		if (c->col->max_rep == 0 || r->lv_rep[i] == 0) {
			if (grow((void **)&d->rowv, &d->rcap, d->nrows + 2,
				 sizeof *d->rowv) < 0)
				return cerr_set(c->err, CONTAM_E_NOMEM,
						"out of memory");
			d->rowv[d->nrows++] = SIZE_MAX; /* set below */
		} else if (d->nrows == 0) {
			return col_fail(c, "first level of the chunk does not "
					"start a row");
		}
		if (c->col->max_def == 0 || r->lv_def[i] == (uint32_t)c->col->max_def)
			vals++;
		else
			r->nulls++;
	}
	*nv = vals;
	return CONTAM_OK;
}

static int load_chunk(cpq_rows *r, size_t k, uint64_t rg, cerr *err)
{
	cpq *f = r->f;
	const pcol *col = &f->cols[r->cols[k]];
	const pchunk *ch = &f->groups[rg].chunks[r->cols[k]];
	pdecoded *d = &r->dec[k];
	pctx c = { r, col, ch, rg, err };
	const uint8_t *buf;
	int rc;

	cbuf_reset(&d->data);
	d->nvals = 0;
	d->nrows = 0;
	if (grow((void **)&d->voff, &d->vcap, 2, sizeof *d->voff) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	d->voff[0] = 0;
	free(r->doff);
	r->doff = NULL;
	r->ndict = 0;
	cbuf_reset(&r->dict);
	cbuf_reset(&r->prev);
	/* the element index of each repeated level, carried across pages */
	uint32_t li[CPQ_MAX_DEPTH + 2] = { 0 };
	int mr = col->max_rep;

	if (ch->encrypted)
		return col_fail(&c, "encrypted column chunks are not supported");
	if (!ch->has_meta)
		return col_fail(&c, "column chunk without metadata");
	if (ch->type != col->type)
		return col_fail(&c, "chunk type %s differs from the schema's %s",
				cpq_type_name(ch->type), cpq_type_name(col->type));
	if (ch->num_values < 0)
		return col_fail(&c, "negative value count");
	int64_t start = ch->data_off;
	if (ch->dict_off > 0 && ch->dict_off < start)
		start = ch->dict_off;
	if (start < 4 || ch->total_comp < 0 ||
	    (uint64_t)start > f->data_end ||
	    (uint64_t)ch->total_comp > f->data_end - (uint64_t)start)
		return col_fail(&c, "chunk at %" PRId64 "+%" PRId64 " does not "
				"fit the file's data (%" PRIu64 " bytes)", start,
				ch->total_comp, f->data_end);
	if ((uint64_t)ch->total_comp > f->max_mem)
		return col_fail(&c, "chunk of %" PRId64 " bytes is over the "
				"memory ceiling of %" PRIu64 " bytes (--max-record)",
				ch->total_comp, f->max_mem);
	size_t clen = (size_t)ch->total_comp;
	if (!f->mem && grow((void **)&r->chunk, &r->chunk_cap, clen + 1, 1) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if ((rc = pq_read(f, (uint64_t)start, clen, r->chunk, &buf, err)) < 0)
		return rc;
	r->bytes_in += clen;

	size_t pos = 0;
	int64_t seen = 0;
	while (seen < ch->num_values) {
		if (pos >= clen)
			return col_fail(&c, "chunk ends after %" PRId64 " of its %"
					PRId64 " values", seen, ch->num_values);
		tin t = { buf, clen, pos, 0, "" };
		tfield fl = { 0 };
		int id, type;
		int64_t v;
		int ptype = -1;
		int64_t usize = -1, csize = -1;
		int64_t nv = -1, enc = -1, denc = 3, renc = 3;
		int64_t nnull = 0, dlen = 0, rlen = 0;
		int is_comp = 1;
		int64_t dnv = -1, denc2 = -1;
		int has_crc = 0;
		uint32_t crc = 0;
		while ((rc = t_field(&t, &fl, &id, &type)) == 1) {
			if (type == T_STRUCT && (id == 5 || id == 7 || id == 8)) {
				tfield sf = { 0 };
				int sid, st, r2;
				if (t_enter(&t) < 0) {
					rc = CONTAM_E_FORMAT;
					break;
				}
				while ((r2 = t_field(&t, &sf, &sid, &st)) == 1) {
					if (id == 8 && sid == 7 &&
					    (st == T_TRUE || st == T_FALSE)) {
						is_comp = st == T_TRUE;
						continue;
					}
					int g = t_get_int(&t, st, &v);
					if (g < 0) {
						r2 = g;
						break;
					}
					if (!g)
						continue;
					if (id == 5) {
						if (sid == 1) nv = v;
						else if (sid == 2) enc = v;
						else if (sid == 3) denc = v;
						else if (sid == 4) renc = v;
					} else if (id == 7) {
						if (sid == 1) dnv = v;
						else if (sid == 2) denc2 = v;
					} else {
						if (sid == 1) nv = v;
						else if (sid == 2) nnull = v;
						else if (sid == 4) enc = v;
						else if (sid == 5) dlen = v;
						else if (sid == 6) rlen = v;
					}
				}
				if (r2 < 0) {
					rc = r2;
					break;
				}
				t.depth--;
				continue;
			}
			int g = t_get_int(&t, type, &v);
			if (g < 0) {
				rc = g;
				break;
			}
			if (!g)
				continue;
			if (id == 4) {
				has_crc = 1;
				crc = (uint32_t)v;
			} else if (id == 1) ptype = (int)v;
			else if (id == 2) usize = v;
			else if (id == 3) csize = v;
		}
		if (rc < 0)
			return col_fail(&c, "damaged page header at chunk byte "
					"%zu (%s)", pos, t.msg[0] ? t.msg : "bad Thrift");
		pos = t.pos;
		if (usize < 0 || csize < 0 || (uint64_t)csize > clen - pos)
			return col_fail(&c, "page of %" PRId64 " bytes does not fit "
					"the chunk", csize);
		if ((uint64_t)usize > f->max_mem)
			return col_fail(&c, "page claims %" PRId64 " bytes "
					"uncompressed, over the memory ceiling "
					"of %" PRIu64 " bytes (--max-record)",
					usize, f->max_mem);
		const uint8_t *pg = buf + pos;
		size_t pn = (size_t)csize;
		pos += pn;
		/* the page checksum, when the writer gave one: CRC-32 of the
		 * page's bytes as stored */
		if (has_crc && (uint32_t)crc32(0L, pg, (uInt)pn) != crc)
			return col_fail(&c, "page at chunk byte %zu fails its "
					"CRC-32 checksum", pos - pn);
		if (ptype != 0 && ptype != 2 && ptype != 3)
			continue; /* index pages and unknown pages: skipped */
		/* v2: the levels are not compressed */
		size_t lv = 0;
		if (ptype == 3) {
			if (dlen < 0 || rlen < 0)
				return col_fail(&c, "negative level lengths in a "
						"v2 page header");
			if ((uint64_t)dlen + (uint64_t)rlen > pn ||
			    (uint64_t)dlen + (uint64_t)rlen > (uint64_t)usize)
				return col_fail(&c, "v2 level lengths %" PRId64
						"+%" PRId64 " exceed the page size",
						rlen, dlen);
			lv = (size_t)(dlen + rlen);
		}
		const uint8_t *data;
		size_t dn = (size_t)usize - lv;
		if (ch->codec == 0 || (ptype == 3 && !is_comp)) {
			if (pn - lv != dn)
				return col_fail(&c, "page size %zu differs from "
						"its uncompressed size %zu",
						pn - lv, dn);
			data = pg + lv;
		} else {
			char msg[200];
			if (grow((void **)&r->page, &r->page_cap, dn + 1, 1) < 0)
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
			int dr = decompress(ch->codec, pg + lv, pn - lv, r->page,
					    dn, msg, sizeof msg);
			if (dr < 0)
				return col_fail(&c, "%s", msg);
			data = r->page;
		}
		if (ptype == 2) {
			if (dnv < 0 || (size_t)dnv > dn / 4 + 1)
				return col_fail(&c, "dictionary of %" PRId64
						" entries does not fit its page",
						dnv);
			if (denc2 != 0 && denc2 != 2)
				return col_fail(&c, "dictionary encoding %" PRId64
						" is not supported", denc2);
			if (col->type != CPQ_BYTE_ARRAY && !col->number)
				continue;
			free(r->doff);
			r->doff = calloc((size_t)dnv + 2, sizeof *r->doff);
			if (!r->doff)
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
			size_t cap = (size_t)dnv + 2, cnt = 0;
			cbuf_reset(&r->dict);
			rc = col->type == CPQ_BYTE_ARRAY
			     ? plain_values(&c, data, dn, (size_t)dnv, &r->dict,
					    &r->doff, &cap, &cnt, NULL)
			     : plain_numbers(&c, data, dn, (size_t)dnv, &r->dict,
					     &r->doff, &cap, &cnt, NULL);
			if (rc < 0)
				return rc;
			r->ndict = cnt;
			continue;
		}
		if (nv < 0 || nv > ch->num_values - seen)
			return col_fail(&c, "page of %" PRId64 " values exceeds "
					"the chunk's %" PRId64, nv,
					ch->num_values);
		if (ptype == 3 && (nnull < 0 || nnull > nv))
			return col_fail(&c, "v2 page with %" PRId64 " nulls of %"
					PRId64 " values", nnull, nv);
		/* levels, value offsets and row starts take 4-8 bytes each: a
		 * page of 100 bytes may claim 2^40 nulls */
		/* counted over all selected columns of the row group, as
		 * their strings are (they are all held at once): a 3 KB file
		 * gave 64 columns of 2^18 empty strings each, in one row */
		uint64_t lim = f->max_mem / 16;
		if ((uint64_t)nv > lim || r->group_levels + (uint64_t)nv > lim)
			return col_fail(&c, "page of %" PRId64 " values (after %"
					PRIu64 " values of the row group's selected "
					"columns) is over the memory ceiling of %"
					PRIu64 " values (--max-record / 16)", nv,
					r->group_levels, lim);
		r->group_levels += (uint64_t)nv;
		size_t n = (size_t)nv;
		seen += nv;
		if (grow((void **)&r->lv_def, &r->lv_cap, n + 1,
			 sizeof *r->lv_def) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		{
			/* lv_rep and idx share lv_cap: keep them as large */
			size_t cap = r->lv_cap;
			void *q1 = realloc(r->lv_rep, cap * sizeof *r->lv_rep);
			if (!q1)
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
			r->lv_rep = q1;
			void *q2 = realloc(r->idx, cap * sizeof *r->idx);
			if (!q2)
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
			r->idx = q2;
		}
		size_t vp = 0;
		if (ptype == 0) {
			if (col->max_rep > 0) {
				if ((rc = levels_v1(&c, data, dn, &vp, col->max_rep,
						    (int)renc, r->lv_rep, n)) < 0)
					return rc;
			} else {
				memset(r->lv_rep, 0, n * sizeof *r->lv_rep);
			}
			if (col->max_def > 0) {
				if ((rc = levels_v1(&c, data, dn, &vp, col->max_def,
						    (int)denc, r->lv_def, n)) < 0)
					return rc;
			} else {
				memset(r->lv_def, 0, n * sizeof *r->lv_def);
			}
		} else {
			if ((rc = levels_v2(&c, pg, (size_t)rlen, col->max_rep,
					    r->lv_rep, n)) < 0 ||
			    (rc = levels_v2(&c, pg + rlen, (size_t)dlen,
					    col->max_def, r->lv_def, n)) < 0)
				return rc;
		}
		size_t nvals = 0;
		size_t rows0 = d->nrows;
		if ((rc = apply_levels(&c, d, n, &nvals)) < 0)
			return rc;
		if (col->type != CPQ_BYTE_ARRAY && !col->number)
			continue;
		/* value indices of the new rows */
		size_t v0 = d->nvals;
		if ((rc = decode_values(&c, d, (int)enc, data + vp, dn - vp,
					nvals)) < 0)
			return rc;
		/* rowv: the first value of each row, from the levels again;
		 * vrep: each value's element index in each enclosing list */
		if (mr > 0 && grow((void **)&d->vrep, &d->vrcap,
				   d->nvals * (size_t)mr + 1, sizeof *d->vrep) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		size_t ri = rows0, vi = v0;
		for (size_t i = 0; i < n; i++) {
			uint32_t rl = mr ? r->lv_rep[i] : 0;
			if (rl == 0) {
				d->rowv[ri++] = vi;
				memset(li, 0, sizeof li);
			} else {
				li[rl]++;
				for (int x = (int)rl + 1; x <= mr; x++)
					li[x] = 0;
			}
			if (col->max_def == 0 ||
			    r->lv_def[i] == (uint32_t)col->max_def) {
				if (mr > 0)
					memcpy(d->vrep + vi * (size_t)mr, li + 1,
					       (size_t)mr * sizeof *li);
				vi++;
			}
		}
	}
	if ((uint64_t)d->nrows != (uint64_t)f->groups[rg].num_rows)
		return col_fail(&c, "chunk holds %zu rows, the row group %" PRId64,
				d->nrows, f->groups[rg].num_rows);
	if (grow((void **)&d->rowv, &d->rcap, d->nrows + 1, sizeof *d->rowv) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	d->rowv[d->nrows] = d->nvals;
	return CONTAM_OK;
}

int cpq_rows_open(cpq_rows **out, cpq *f, const size_t *cols, size_t ncols,
		  cerr *err)
{
	*out = NULL;
	/* Rows of no column would be counted, not read: a row group may
	 * claim 2^63 of them. */
	if (ncols == 0)
		return cerr_set(err, CONTAM_E_PARAM, "'%s': no column to read",
				f->label);
	cpq_rows *r = calloc(1, sizeof *r);
	if (!r)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	r->f = f;
	r->cols = calloc(ncols ? ncols : 1, sizeof *r->cols);
	r->dec = calloc(ncols ? ncols : 1, sizeof *r->dec);
	r->head = calloc(ncols ? ncols : 1, sizeof *r->head);
	r->heap = calloc(ncols ? ncols : 1, sizeof *r->heap);
	if (!r->cols || !r->dec || !r->head || !r->heap) {
		cpq_rows_free(r);
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < ncols; i++) {
		if (cols[i] >= f->ncols) {
			cpq_rows_free(r);
			return cerr_set(err, CONTAM_E_PARAM, "no column %zu",
					cols[i]);
		}
		if (f->cols[cols[i]].type != CPQ_BYTE_ARRAY &&
		    !f->cols[cols[i]].number) {
			int rc = cerr_set(err, CONTAM_E_FORMAT, "'%s': column "
					  "'%s' is %s, not a string column "
					  "(only BYTE_ARRAY columns are read, "
					  "and integers and booleans named "
					  "alone by probe)",
					  f->label, f->cols[cols[i]].path,
					  cpq_type_name(f->cols[cols[i]].type));
			cpq_rows_free(r);
			return rc;
		}
		r->cols[i] = cols[i];
	}
	r->ncols = ncols;
	*out = r;
	return CONTAM_OK;
}

int cpq_rows_next(cpq_rows *r, uint64_t *row, cerr *err)
{
	while (!r->loaded || r->row_in_group >= r->group_rows) {
		if (r->loaded) {
			r->row_base += r->group_rows;
			r->loaded = 0;
		}
		if (r->group >= r->f->ngroups)
			return 0;
		size_t g = r->group++;
		r->group_bytes = 0;
		r->group_levels = 0;
		for (size_t k = 0; k < r->ncols; k++) {
			int rc = load_chunk(r, k, g, err);
			if (rc < 0)
				return rc;
		}
		r->group_rows = (uint64_t)r->f->groups[g].num_rows;
		r->row_in_group = 0;
		r->loaded = 1;
	}
	*row = r->row_base + r->row_in_group;
	r->row_in_group++;
	return 1;
}

size_t cpq_rows_count(const cpq_rows *r, size_t k)
{
	const pdecoded *d = &r->dec[k];
	size_t i = (size_t)(r->row_in_group - 1);
	return d->rowv[i + 1] - d->rowv[i];
}

void cpq_rows_value(const cpq_rows *r, size_t k, size_t j, const char **p,
		    size_t *n)
{
	const pdecoded *d = &r->dec[k];
	size_t v = d->rowv[r->row_in_group - 1] + j;
	*p = d->data.data ? d->data.data + d->voff[v] : "";
	*n = d->voff[v + 1] - d->voff[v];
}

uint64_t cpq_rows_nulls(const cpq_rows *r) { return r->nulls; }
uint64_t cpq_bytes_in(const cpq_rows *r) { return r->bytes_in; }

void cpq_rows_free(cpq_rows *r)
{
	if (!r)
		return;
	for (size_t k = 0; r->dec && k < r->ncols; k++) {
		cbuf_release(&r->dec[k].data);
		free(r->dec[k].voff);
		free(r->dec[k].rowv);
		free(r->dec[k].vrep);
	}
	free(r->dec);
	free(r->cols);
	free(r->chunk);
	free(r->page);
	free(r->lv_def);
	free(r->lv_rep);
	free(r->idx);
	free(r->dl);
	free(r->dp);
	cbuf_release(&r->dict);
	free(r->doff);
	cbuf_release(&r->prev);
	free(r->head);
	free(r->heap);
	free(r);
}

const char *cpq_column_top(const cpq *f, size_t c) { return f->cols[c].top; }
int cpq_column_map_key(const cpq *f, size_t c) { return f->cols[c].map_key; }
int cpq_column_number(const cpq *f, size_t c) { return f->cols[c].number != 0; }

/* Record order of value ja of selected column ka and value jb of kb, in
 * the current row: down the schema from the top-level fields, by position
 * among a group's children, and by element index in each repeated level;
 * values of one column keep their order. */
static int value_order(const cpq_rows *r, size_t ka, size_t ja, size_t kb,
		       size_t jb)
{
	const pcol *a = &r->f->cols[r->cols[ka]];
	const pcol *b = &r->f->cols[r->cols[kb]];
	const pdecoded *da = &r->dec[ka], *db = &r->dec[kb];
	size_t va = da->rowv[r->row_in_group - 1] + ja;
	size_t vb = db->rowv[r->row_in_group - 1] + jb;
	int reps = 0;
	if (ka == kb)
		return ja < jb ? -1 : ja > jb;
	for (int d = 0; d < a->depth && d < b->depth; d++) {
		if (a->npos[d] != b->npos[d])
			return a->npos[d] < b->npos[d] ? -1 : 1;
		if (a->nrep[d]) {
			uint32_t ia = da->vrep[va * (size_t)a->max_rep + (size_t)reps];
			uint32_t ib = db->vrep[vb * (size_t)b->max_rep + (size_t)reps];
			if (ia != ib)
				return ia < ib ? -1 : 1;
			reps++;
		}
	}
	return ka < kb ? -1 : 1;
}

/* The heap of cpq_rows_each: is column a's next value before column b's? */
static int head_before(const cpq_rows *r, size_t a, size_t b)
{
	return value_order(r, a, r->head[a], b, r->head[b]) < 0;
}

/* Sift h[i] down the min-heap h[0 .. n). */
static void heap_down(const cpq_rows *r, size_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, a = 2 * i + 1, b = a + 1;
		if (a < n && head_before(r, h[a], h[m]))
			m = a;
		if (b < n && head_before(r, h[b], h[m]))
			m = b;
		if (m == i)
			return;
		size_t t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* A k-way merge of the columns by record order: the columns with values
 * left in a min-heap of their next values, so a value costs log nk
 * comparisons, not nk (a scan of all the heads for the least: 64
 * columns of 2^18 values in one row ran past fuzz_parquet's 20 s
 * timeout).  value_order is a strict total order, so the values come in
 * the order that scan gave. */
int cpq_rows_each(cpq_rows *r, size_t k0, size_t nk,
		  int (*fn)(void *arg, size_t k, const char *p, size_t n),
		  void *arg)
{
	size_t *h = r->heap, n = 0;
	for (size_t k = k0; k < k0 + nk; k++) {
		r->head[k] = 0;
		if (cpq_rows_count(r, k))
			h[n++] = k;
	}
	for (size_t i = n / 2; i-- > 0;)
		heap_down(r, h, n, i);
	while (n) {
		size_t best = h[0];
		const char *p;
		size_t len;
		cpq_rows_value(r, best, r->head[best]++, &p, &len);
		int rc = fn(arg, best, p, len);
		if (rc)
			return rc;
		if (r->head[best] >= cpq_rows_count(r, best))
			h[0] = h[--n];
		heap_down(r, h, n, 0);
	}
	return CONTAM_OK;
}
