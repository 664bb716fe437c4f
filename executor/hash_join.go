package executor

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakesql/lakesql/batch"
	"github.com/lakesql/lakesql/executor/budget"
	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/executor/hashtable"
	"github.com/lakesql/lakesql/sqlerr"
)

// JoinType is the kind of join.
type JoinType int

const (
	Inner JoinType = iota
	Left
	Right
	Full
	Semi
	Anti
	// Mark outputs the left rows plus a boolean: whether some right row
	// matches (three-valued with NullAware, as IN is).
	Mark
	// RightSemi and RightAnti output the right (build) rows that some left
	// row matches, or that none does: a semi or anti join whose filtered
	// side is the small one builds on it and streams the large side
	// (TPC-H q04: 57 thousand orders built, 3.8 million line items probe,
	// instead of the reverse).
	RightSemi
	RightAnti
)

// marksBuild reports whether a join of type t tracks which build rows
// were matched.
func marksBuild(t JoinType) bool {
	return t == Right || t == Full || t == RightSemi || t == RightAnti
}

// HashJoinSpec describes an equi-join.
type HashJoinSpec struct {
	Type                JoinType
	LeftKeys, RightKeys []expr.Expr
	NullEqual           []bool
	Residual            expr.Expr // over left columns then right columns
	NullAware           bool
	// Publish lists keys whose values in the build, once it is
	// complete, go to a scan of the probe side for it to drop rows early
	// (integer keys not matching NULLs, of a build that did not spill;
	// see batch.KeySet).
	Publish []batch.KeyFilter
}

// joinSchema computes the output schema of a join.
func joinSchema(l, r *arrow.Schema, t JoinType) *arrow.Schema {
	switch t {
	case Semi, Anti:
		return l
	case RightSemi, RightAnti:
		return r
	case Mark:
		return arrow.NewSchema(append(append([]arrow.Field(nil), l.Fields()...), arrow.Field{Name: "mark", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}), nil)
	}
	var fs []arrow.Field
	for _, f := range l.Fields() {
		f.Nullable = true
		fs = append(fs, f)
	}
	for _, f := range r.Fields() {
		f.Nullable = true
		fs = append(fs, f)
	}
	return arrow.NewSchema(fs, nil)
}

// joinBuild is the build side of a hash join: the right input's rows, and
// the hash table of their keys with, per key, the chain of rows that have
// it (in input order). When the query's memory refuses it room, the rows
// go instead to spill files by the hash of their keys (parts), and the
// join is done partition by partition (a grace hash join).
type joinBuild struct {
	rb arrow.RecordBatch // all right rows
	// tables: the hash table of the keys, or its parts by
	// hashtable.PartOf when it was filled in parallel.
	tables []*hashtable.Table
	chains         // per group: its rows, first to last
	next   []int32 // per row: the next row with the same key, -1 last
	// hasNull: some right row has a NULL in a key that does not match
	// NULLs (it is in no chain).
	hasNull bool
	// unique: every key that may match has one row (a key of its table:
	// the chains are one row long, and a probe finds its row at head).
	unique bool
	// dense, for one integer key of a compact range, finds groups by key.
	dense *denseKeys
	// rows counts all the right rows (of every partition).
	rows  int64
	parts *joinParts
	res   *budget.Reservation // the memory the build holds
}

// chains are the first and last row of each group; a row's successor is
// in the build's next (rows of distinct groups, so the parts of a build
// filled in parallel link into one next).
type chains struct {
	head []int32 // per group: first row, -1 none
	tail []int32 // per group: last row
}

// grow makes room for groups up to n.
func (c *chains) grow(n int) {
	for len(c.head) < n {
		c.head = append(c.head, -1)
		c.tail = append(c.tail, -1)
	}
}

// link appends row r to the chain of group g.
func (c *chains) link(next []int32, g uint32, r int32) {
	if c.head[g] < 0 {
		c.head[g] = r
	} else {
		next[c.tail[g]] = r
	}
	c.tail[g] = r
}

type usersKey struct{}

// withUsers tells buildJoin how many probes will share the build.
func withUsers(ctx context.Context, n int32) context.Context {
	return context.WithValue(ctx, usersKey{}, n)
}

func users(ctx context.Context) int32 {
	n, _ := ctx.Value(usersKey{}).(int32)
	return max(n, 1)
}

// joinSpillParts is how many partitions a spilled join uses.
const joinSpillParts = 16

// joinParts is the right side of a join spilled to files by partition;
// each partition's build is made once, on first use, and shared.
type joinParts struct {
	schema *arrow.Schema
	keys   []expr.Expr
	nullEq []bool
	files  [joinSpillParts]*spillFile
	once   [joinSpillParts]sync.Once
	builds [joinSpillParts]*joinBuild
	errs   [joinSpillParts]error
	// users is how many probes share the build; pending counts, per
	// partition, those not done with it, so the last one frees it.
	users   int32
	pending [joinSpillParts]atomic.Int32
	marks   [joinSpillParts]buildMarks
}

// buildMarks merges the matched build rows of the probes sharing a build
// (right semi and anti joins): the last probe to finish emits the rows.
type buildMarks struct {
	mu      sync.Mutex
	matched []bool
	done    int32
}

// finish adds one probe's marks; it returns the union when that probe is
// the last of probes, nil otherwise.
func (m *buildMarks) finish(matched []bool, probes int32) []bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.matched == nil {
		m.matched = matched
	} else {
		for i, x := range matched {
			if x {
				m.matched[i] = true
			}
		}
	}
	if m.done++; m.done < probes {
		return nil
	}
	out := m.matched
	m.matched, m.done = nil, 0
	return out
}

// partition returns, for each row of keys, its partition: by hash, and 0
// for rows with a blocked (NULL) key, which match nothing.
func partitionRows(t *hashtable.Table, keys []arrow.Array, nullEq []bool, n int) [joinSpillParts][]int32 {
	var rows [joinSpillParts][]int32
	hs := t.HashRows(keys, n)
	for i, h := range hs {
		p := spillPart(h, joinSpillParts)
		if blocked(keys, nullEq, i) {
			p = 0
		}
		rows[p] = append(rows[p], int32(i))
	}
	return rows
}

// writeParts appends the rows of b to the partition files.
func writeParts(ctx context.Context, files *[joinSpillParts]*spillFile, schema *arrow.Schema, b arrow.RecordBatch, rows [joinSpillParts][]int32) error {
	for p, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		if files[p] == nil {
			f, err := newSpillFile(ctx, schema)
			if err != nil {
				return err
			}
			files[p] = f
		}
		part, err := gatherRows(ctx, schema, b, rs)
		if err != nil {
			return err
		}
		if err := files[p].write(part); err != nil {
			return err
		}
	}
	return nil
}

// load builds partition p (once; the probes share it).
func (jp *joinParts) load(ctx context.Context, ec *expr.Context, p int, whole *joinBuild) (*joinBuild, error) {
	jp.once[p].Do(func() {
		var src Operator = NewBatches(jp.schema, nil)
		if f := jp.files[p]; f != nil {
			src = &spillScan{file: f, schema: jp.schema}
		}
		// A partition must fit: there is no deeper level of spilling.
		var b *joinBuild
		err := src.Open(ctx)
		if err == nil {
			b, err = buildJoinFrom(ctx, ec, src, jp.keys, jp.nullEq, false, 1)
		}
		src.Close()
		if err == nil {
			b.hasNull, b.rows = whole.hasNull, whole.rows
		}
		jp.builds[p], jp.errs[p] = b, err
		jp.pending[p].Store(max(jp.users, 1))
	})
	return jp.builds[p], jp.errs[p]
}

// done tells that one probe is finished with partition p; the last one
// frees its build and its memory.
func (jp *joinParts) done(p int) {
	if jp.pending[p].Add(-1) == 0 {
		if b := jp.builds[p]; b != nil && b.res != nil {
			b.res.Release()
		}
		jp.builds[p] = nil
	}
}

// spillScan reads a spill file as an operator.
type spillScan struct {
	file   *spillFile
	schema *arrow.Schema
	rd     *spillReader
}

func (s *spillScan) Schema() *arrow.Schema { return s.schema }
func (s *spillScan) Open(ctx context.Context) error {
	rd, err := s.file.open()
	s.rd = rd
	return err
}
func (s *spillScan) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := s.rd.next()
	if err != nil || b == nil {
		return nil, err
	}
	return array.NewRecordBatch(s.schema, b.Columns(), b.NumRows()), nil
}
func (s *spillScan) Close() error {
	if s.rd != nil {
		s.rd.close()
		s.rd = nil
	}
	return nil
}

// buildJoin reads the whole right input and hashes its keys, spilling by
// partition when the query's memory refuses room.
//
// A build shared by the instances of a parallel probe is filled in
// parallel: its table is split into parts by hash (a power of two, at
// least one per probe instance), and each part filled on a goroutine of
// its own once the input is read.
func buildJoin(ctx context.Context, ec *expr.Context, right Operator, keys []expr.Expr, nullEq []bool) (*joinBuild, error) {
	parts := 1
	for parts < int(users(ctx)) && parts < 64 {
		parts *= 2
	}
	return buildJoinFrom(ctx, ec, right, keys, nullEq, true, parts)
}

// pendingKeys are one batch's keys, read and waiting for a parallel fill.
type pendingKeys struct {
	cols []arrow.Array // the keys of the rows that may match
	sel  []int32       // their rows in the batch, nil when all
	base int32         // the batch's first row number
}

func buildJoinFrom(ctx context.Context, ec *expr.Context, right Operator, keys []expr.Expr, nullEq []bool, spillable bool, parts int) (*joinBuild, error) {
	kt := make([]arrow.DataType, len(keys))
	for i, k := range keys {
		kt[i] = k.Type()
	}
	jb := &joinBuild{tables: []*hashtable.Table{hashtable.New(kt)}}
	res := budget.From(ctx).Reserve("hash join")
	jb.res = res
	var batches []arrow.RecordBatch
	var pending []pendingKeys
	var held, keyBytes, keyRows int64
	var groups []uint32
	var sel []int32
	base := int32(0)
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		b, err := right.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		n := int(b.NumRows())
		jb.rows += int64(n)
		cols := make([]arrow.Array, len(keys))
		for i, k := range keys {
			if cols[i], err = k.Eval(ec, b); err != nil {
				return nil, err
			}
		}
		if jb.parts != nil {
			for i := 0; i < n; i++ {
				jb.hasNull = jb.hasNull || blocked(cols, nullEq, i)
			}
			if err := writeParts(ctx, &jb.parts.files, right.Schema(), b, partitionRows(jb.tables[0], cols, nullEq, n)); err != nil {
				return nil, err
			}
			continue
		}
		// Rows whose key is NULL where NULLs do not match join nothing.
		sel = sel[:0]
		for i := 0; i < n; i++ {
			if blocked(cols, nullEq, i) {
				jb.hasNull = true
			} else {
				sel = append(sel, int32(i))
			}
		}
		if len(sel) < n {
			for i, c := range cols {
				if cols[i], err = batch.Gather(ctx, c, sel); err != nil {
					return nil, err
				}
			}
		}
		for range n {
			jb.next = append(jb.next, -1)
		}
		keyRows += int64(len(sel))
		held += batchBytes(b)
		var need int64
		if parts > 1 {
			pk := pendingKeys{cols: cols, base: base}
			if len(sel) < n {
				pk.sel = append([]int32(nil), sel...)
			}
			pending = append(pending, pk)
			for _, c := range cols {
				keyBytes += arrayBytes(c.Data())
			}
			// The table is not filled yet: its keys, slots (at most 32
			// bytes a key at the load it keeps), hashes and chains.
			need = held + keyBytes + 48*keyRows + 4*int64(len(jb.next))
		} else {
			groups = growU32(groups, len(sel))
			jb.tables[0].Insert(cols, len(sel), groups, nil)
			jb.grow(jb.tables[0].Len())
			for k, g := range groups[:len(sel)] {
				r := base + int32(k)
				if len(sel) < n {
					r = base + sel[k]
				}
				jb.link(jb.next, g, r)
			}
			need = held + jb.tables[0].Bytes() + 12*int64(len(jb.next))
		}
		batches = append(batches, b)
		base += int32(n)
		if res.TryResize(need, spillable) {
			continue
		}
		if !spillable {
			return nil, res.Resize(need)
		}
		// Memory refused: the rows so far and all that follow go to
		// partition files.
		jb.parts = &joinParts{schema: right.Schema(), keys: keys, nullEq: nullEq, users: users(ctx)}
		for _, pb := range batches {
			pcols := make([]arrow.Array, len(keys))
			for i, k := range keys {
				if pcols[i], err = k.Eval(ec, pb); err != nil {
					return nil, err
				}
			}
			if err := writeParts(ctx, &jb.parts.files, right.Schema(), pb, partitionRows(jb.tables[0], pcols, nullEq, int(pb.NumRows()))); err != nil {
				return nil, err
			}
		}
		batches, pending, held = nil, nil, 0
		jb.tables, jb.chains, jb.next = []*hashtable.Table{hashtable.New(kt)}, chains{}, nil
		res.Release()
	}
	if jb.parts != nil {
		for _, f := range jb.parts.files {
			if f != nil {
				if err := f.finish(); err != nil {
					return nil, err
				}
			}
		}
		jb.rb = array.NewRecordBatch(right.Schema(), emptyCols(right.Schema()), 0)
		return jb, nil
	}
	if parts == 1 {
		rb, err := concatBatches(right.Schema(), batches)
		if err != nil {
			return nil, err
		}
		jb.rb = rb
		jb.finish(keyRows, held, nullEq)
		return jb, nil
	}
	// The rows are concatenated while the parts are filled.
	err := onEach(ctx, 2, func(ctx context.Context, i int) (err error) {
		if i == 0 {
			return jb.fill(ctx, kt, pending, parts)
		}
		jb.rb, err = concatBatches(right.Schema(), batches)
		return err
	})
	if err != nil {
		return nil, err
	}
	jb.finish(keyRows, held, nullEq)
	return jb, nil
}

// finish readies a complete build for its probes: it seals the tables
// they share, notes what the keys allow (keyRows rows were added), and
// sets the memory held to what is now known, not estimated (held: the
// rows' bytes).
func (jb *joinBuild) finish(keyRows, held int64, nullEq []bool) {
	for _, t := range jb.tables {
		t.Seal()
	}
	jb.unique = int64(len(jb.head)) == keyRows
	if len(nullEq) == 1 {
		if keys, err := jb.keyColumn(0); err == nil {
			jb.dense = newDenseKeys(keys, nullEq)
		}
	}
	b := held + 4*int64(len(jb.next)+len(jb.head)+len(jb.tail))
	for _, t := range jb.tables {
		b += t.Bytes()
	}
	if jb.dense != nil {
		b += 4 * int64(len(jb.dense.groups))
	}
	jb.res.TryResize(b, false)
}

// keyColumn is key i of every group, in group order (through the
// table's parts in order).
func (jb *joinBuild) keyColumn(i int) (arrow.Array, error) {
	cols := make([]arrow.Array, len(jb.tables))
	for p, t := range jb.tables {
		cols[p] = t.KeyColumn(i)
	}
	if len(cols) == 1 {
		return cols[0], nil
	}
	return array.Concatenate(cols, memory.DefaultAllocator)
}

// fill builds the table's parts from the pending keys, each part on a
// goroutine of its own: first the keys are hashed (the batches shared
// out among the goroutines), then each goroutine adds the rows whose
// hash falls in its part and chains them, in row order, as the serial
// build does. The parts write distinct entries of jb.next.
func (jb *joinBuild) fill(ctx context.Context, kt []arrow.DataType, pending []pendingKeys, parts int) error {
	tables := make([]*hashtable.Table, parts)
	for p := range tables {
		tables[p] = hashtable.New(kt)
	}
	hashes := make([][]uint64, len(pending))
	err := onEach(ctx, parts, func(ctx context.Context, p int) error {
		for i := p; i < len(pending); i += parts {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
			hashes[i] = make([]uint64, pending[i].cols[0].Len())
			tables[p].Hash(pending[i].cols, hashes[i])
		}
		return nil
	})
	if err != nil {
		return err
	}
	heads := make([][]int32, parts)
	err = onEach(ctx, parts, func(ctx context.Context, p int) error {
		t := tables[p]
		var rows []int32
		var groups []uint32
		var c chains
		for i, pk := range pending {
			if err := batch.CheckCancel(ctx); err != nil {
				return err
			}
			h := hashes[i]
			rows = rows[:0]
			for k, x := range h {
				if hashtable.PartOf(x, parts) == p {
					rows = append(rows, int32(k))
				}
			}
			groups = growU32(groups, len(h))
			t.InsertHashed(pk.cols, h, rows, groups)
			c.grow(t.Len())
			for _, k := range rows {
				r := pk.base + k
				if pk.sel != nil {
					r = pk.base + pk.sel[k]
				}
				c.link(jb.next, groups[k], r)
			}
		}
		heads[p] = c.head
		return nil
	})
	if err != nil {
		return err
	}
	jb.tables, jb.chains = tables, chains{}
	for _, h := range heads {
		jb.head = append(jb.head, h...)
	}
	return nil
}

func growU32(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}

// blocked reports whether row i has a NULL in a key that does not match NULLs.
func blocked(keys []arrow.Array, nullEq []bool, i int) bool {
	for k, c := range keys {
		if c.IsNull(i) && (k >= len(nullEq) || !nullEq[k]) {
			return true
		}
	}
	return false
}

// JoinBuild is the build side of a hash join, which the instances of a
// parallel probe pipeline share: the first instance to need it reads the
// right input and builds it, the others wait for it.
type JoinBuild struct {
	users   atomic.Int32 // the joins sharing it
	marks   buildMarks
	right   Operator
	keys    []expr.Expr
	nullEq  []bool
	publish []batch.KeyFilter
	once    sync.Once
	jb      *joinBuild
	err     error
}

// Publishing sets where the build publishes the values of its keys (see
// HashJoinSpec.Publish) and returns b.
func (b *JoinBuild) Publishing(fs []batch.KeyFilter) *JoinBuild {
	b.publish = fs
	return b
}

// publishKeys hands the keys of a complete build to the probe side's
// scans (or withdraws earlier ones when this build cannot say).
func (b *JoinBuild) publishKeys() {
	for _, f := range b.publish {
		f.Set.Publish(b.keysOf(f.Key))
	}
}

// keysOf is the build's values of key i, or nil when it cannot say.
func (b *JoinBuild) keysOf(i int) *batch.Keys {
	if b.jb == nil || b.jb.parts != nil || i >= len(b.keys) || (i < len(b.nullEq) && b.nullEq[i]) {
		return nil
	}
	col, err := b.jb.keyColumn(i)
	if err != nil {
		return nil
	}
	k, _ := batch.KeysOf(col)
	return k
}

// NewJoinBuild returns the build side of hash joins over right's rows
// keyed by keys (nullEq: per key, whether NULLs match).
func NewJoinBuild(right Operator, keys []expr.Expr, nullEq []bool) *JoinBuild {
	return &JoinBuild{right: right, keys: keys, nullEq: nullEq}
}

// get builds the hash table on first use; the right input is opened,
// drained and closed there.
func (b *JoinBuild) get(ctx context.Context, ec *expr.Context) (*joinBuild, error) {
	b.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				b.err = sqlerr.New(sqlerr.InternalError, "%v", r)
			}
		}()
		if b.err = b.right.Open(ctx); b.err == nil {
			b.jb, b.err = buildJoin(withUsers(ctx, b.users.Load()), ec, b.right, b.keys, b.nullEq)
		}
		if err := b.right.Close(); b.err == nil {
			b.err = err
		}
		if b.err == nil {
			b.publishKeys()
		}
	})
	return b.jb, b.err
}

// HashJoin builds a hash table on the right input and probes it with
// batches of the left input. Output batches hold at most batch.Size rows:
// a probe batch whose keys match many rows is emitted in pieces.
type HashJoin struct {
	left  Operator
	build *JoinBuild
	// private: the build is this join's alone, built anew at each Open.
	private bool
	spec    HashJoinSpec
	schema  *arrow.Schema
	ec      *expr.Context

	jb       *joinBuild
	whole    *joinBuild        // the build as made (jb is a partition's when it spilled)
	grace    *graceProbe       // this probe's rows by partition, once the build spilled
	finder   *hashtable.Finder // this instance's lookups in jb.tables
	matched  []bool            // right rows some left row matched (Right, Full)
	tailDone bool
	tailPos  int

	// the probe batch being expanded
	lb     arrow.RecordBatch
	groups []int32 // per left row: its key's group, -1 none
	hit    []bool  // per left row: some pair passed
	// keyNull marks left rows with a NULL key (null-aware joins only).
	keyNull []bool
	pos     int   // next left row to expand
	cursor  int32 // next right row of left row pos's chain (-1: start)
	li, ri  []int32
}

// NewHashJoin returns the join of left and right described by spec.
func NewHashJoin(left, right Operator, spec HashJoinSpec) Operator {
	j := NewSharedHashJoin(left, NewJoinBuild(right, spec.RightKeys, spec.NullEqual).Publishing(spec.Publish), spec).(*HashJoin)
	j.private = true
	return j
}

// NewSharedHashJoin returns the join of left with a build side that other
// joins (parallel instances of the same probe) may share. Joins that emit
// build rows at the end (right, full, right semi and anti) pool which
// rows each probe matched; the last to finish emits them.
func NewSharedHashJoin(left Operator, build *JoinBuild, spec HashJoinSpec) Operator {
	build.users.Add(1)
	return &HashJoin{left: left, build: build, spec: spec, schema: joinSchema(left.Schema(), build.right.Schema(), spec.Type)}
}

func (j *HashJoin) Schema() *arrow.Schema { return j.schema }

// PeakMemory is the most memory its build reserved (EXPLAIN ANALYZE).
func (j *HashJoin) PeakMemory() int64 {
	if j.whole == nil {
		return 0
	}
	return j.whole.res.Peak()
}
func (j *HashJoin) Open(ctx context.Context) error {
	j.ec = evalContext(ctx)
	j.jb, j.whole, j.grace, j.finder, j.tailDone, j.tailPos, j.lb = nil, nil, nil, nil, false, 0, nil
	if j.private {
		j.build = NewJoinBuild(j.build.right, j.build.keys, j.build.nullEq).Publishing(j.build.publish)
	}
	return j.left.Open(ctx)
}
func (j *HashJoin) Close() error {
	if j.grace != nil && j.grace.reader != nil {
		j.grace.reader.close()
		j.grace.reader = nil
	}
	return j.left.Close()
}

func (j *HashJoin) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if j.jb == nil && j.whole == nil {
		jb, err := j.build.get(ctx, j.ec)
		if err != nil {
			return nil, err
		}
		j.whole = jb
		if jb.parts != nil {
			j.grace = &graceProbe{p: -1}
		} else {
			j.jb = jb
			if marksBuild(j.spec.Type) {
				j.matched = make([]bool, jb.rb.NumRows())
			}
		}
	}
	if j.grace != nil {
		return j.nextGrace(ctx)
	}
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		if j.lb == nil {
			lb, err := j.left.Next(ctx)
			if err != nil {
				return nil, err
			}
			if lb == nil {
				if !marksBuild(j.spec.Type) {
					return nil, nil
				}
				if !j.tailDone {
					j.tailDone = true
					probes := int32(1)
					if !j.private {
						probes = max(j.build.users.Load(), 1)
					}
					// Probes sharing the build pool their marks; only
					// the last to finish emits the build's rows.
					if j.matched = j.build.marks.finish(j.matched, probes); j.matched == nil {
						return nil, nil
					}
				}
				return j.buildRows(ctx)
			}
			if err := j.startProbe(lb); err != nil {
				return nil, err
			}
		}
		out, err := j.probe(ctx)
		if err != nil {
			return nil, err
		}
		if out != nil && out.NumRows() > 0 {
			return out, nil
		}
	}
}

// startProbe looks up the keys of a new left batch.
func (j *HashJoin) startProbe(lb arrow.RecordBatch) error {
	n := int(lb.NumRows())
	keys := make([]arrow.Array, len(j.spec.LeftKeys))
	for i, k := range j.spec.LeftKeys {
		var err error
		if keys[i], err = k.Eval(j.ec, lb); err != nil {
			return err
		}
	}
	if cap(j.groups) < n {
		j.groups = make([]int32, n)
		j.hit = make([]bool, n)
	}
	j.groups, j.hit = j.groups[:n], j.hit[:n]
	clear(j.hit)
	// A NULL key finds nothing unless NULLs are equal for that key: the
	// table holds no group with a NULL in the other keys.
	if d := j.jb.dense; d == nil || !d.find(keys[0], j.groups) {
		if j.finder == nil {
			j.finder = hashtable.NewFinder(j.jb.tables)
		}
		j.finder.Find(keys, n, j.groups)
	}
	if j.spec.NullAware {
		j.keyNull = j.keyNull[:0]
		for i := 0; i < n; i++ {
			j.keyNull = append(j.keyNull, blocked(keys, j.spec.NullEqual, i))
		}
	}
	j.lb, j.pos, j.cursor = lb, 0, -1
	return nil
}

// residualMatches expands the rest of the left batch's candidate pairs a
// piece at a time and calls match after the residual has kept the pairs
// that hold it (in j.li and j.ri).
func (j *HashJoin) residualMatches(ctx context.Context, match func()) error {
	for j.pos < len(j.groups) {
		if err := j.expand(); err != nil {
			return err
		}
		if err := j.applyResidual(ctx); err != nil {
			return err
		}
		match()
	}
	return nil
}

// probe continues the current left batch: it returns the next output
// batch (possibly empty), and drops the left batch once it is done.
func (j *HashJoin) probe(ctx context.Context) (arrow.RecordBatch, error) {
	switch j.spec.Type {
	case RightSemi, RightAnti:
		if j.spec.Residual == nil {
			jb := j.jb
			for _, g := range j.groups {
				if g < 0 || j.matched[jb.head[g]] {
					continue // no match, or the group's rows are marked
				}
				for r := jb.head[g]; r >= 0; r = jb.next[r] {
					j.matched[r] = true
				}
			}
		} else if err := j.residualMatches(ctx, func() {
			for _, r := range j.ri {
				j.matched[r] = true
			}
		}); err != nil {
			return nil, err
		}
		j.lb = nil
		return nil, nil
	case Semi, Anti, Mark:
		if j.spec.Residual == nil {
			for i, g := range j.groups {
				j.hit[i] = g >= 0
			}
		} else if err := j.residualMatches(ctx, func() {
			for _, l := range j.li {
				j.hit[l] = true
			}
		}); err != nil {
			return nil, err
		}
		lb := j.lb
		j.lb = nil
		return j.filterLeft(ctx, lb)
	}
	if j.pos < len(j.groups) {
		if err := j.expand(); err != nil {
			return nil, err
		}
		if err := j.applyResidual(ctx); err != nil {
			return nil, err
		}
		for k, l := range j.li {
			j.hit[l] = true
			if j.matched != nil {
				j.matched[j.ri[k]] = true
			}
		}
		return gatherPairs(ctx, j.schema, j.lb, j.jb.rb, j.li, j.ri)
	}
	// The batch is expanded: Left and Full add the unmatched left rows.
	lb := j.lb
	j.lb = nil
	if j.spec.Type == Left || j.spec.Type == Full {
		j.li, j.ri = j.li[:0], j.ri[:0]
		for i, h := range j.hit {
			if !h {
				j.li = append(j.li, int32(i))
				j.ri = append(j.ri, -1)
			}
		}
		if len(j.li) > 0 {
			return gatherPairs(ctx, j.schema, lb, j.jb.rb, j.li, j.ri)
		}
	}
	return nil, nil
}

// graceProbe is a probe side spilled by partition, as its build was.
type graceProbe struct {
	files  [joinSpillParts]*spillFile
	spilt  bool
	p      int // the partition being joined
	reader *spillReader
	tail   bool // the partition's probe rows are done (Right, Full: unmatched rows next)
}

// nextGrace joins partition by partition: the left input first goes to
// files by the hash of its keys, then each partition's build is probed
// with the partition's left rows.
func (j *HashJoin) nextGrace(ctx context.Context) (arrow.RecordBatch, error) {
	g := j.grace
	if !g.spilt {
		kt := make([]arrow.DataType, len(j.spec.LeftKeys))
		for i, k := range j.spec.LeftKeys {
			kt[i] = k.Type()
		}
		hasher := hashtable.New(kt)
		for {
			if err := batch.CheckCancel(ctx); err != nil {
				return nil, err
			}
			b, err := j.left.Next(ctx)
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			keys := make([]arrow.Array, len(j.spec.LeftKeys))
			for i, k := range j.spec.LeftKeys {
				if keys[i], err = k.Eval(j.ec, b); err != nil {
					return nil, err
				}
			}
			if err := writeParts(ctx, &g.files, j.left.Schema(), b, partitionRows(hasher, keys, j.spec.NullEqual, int(b.NumRows()))); err != nil {
				return nil, err
			}
		}
		for _, f := range g.files {
			if f != nil {
				if err := f.finish(); err != nil {
					return nil, err
				}
			}
		}
		g.spilt = true
	}
	for {
		if err := batch.CheckCancel(ctx); err != nil {
			return nil, err
		}
		if j.jb == nil {
			if g.p++; g.p >= joinSpillParts {
				return nil, nil
			}
			jb, err := j.whole.parts.load(ctx, j.ec, g.p, j.whole)
			if err != nil {
				return nil, err
			}
			j.jb, j.finder, j.tailPos, g.tail = jb, nil, 0, false
			if marksBuild(j.spec.Type) {
				j.matched = make([]bool, jb.rb.NumRows())
			}
			j.tailDone = false
			if f := g.files[g.p]; f != nil {
				if g.reader, err = f.open(); err != nil {
					return nil, err
				}
			}
		}
		if j.lb == nil && !g.tail {
			var b arrow.RecordBatch
			if g.reader != nil {
				var err error
				if b, err = g.reader.next(); err != nil {
					return nil, err
				}
			}
			if b == nil {
				if g.reader != nil {
					g.reader.close()
					g.reader = nil
				}
				g.tail = true
			} else if err := j.startProbe(array.NewRecordBatch(j.left.Schema(), b.Columns(), b.NumRows())); err != nil {
				return nil, err
			}
		}
		if g.tail && marksBuild(j.spec.Type) {
			if !j.tailDone {
				j.tailDone = true
				j.matched = j.whole.parts.marks[g.p].finish(j.matched, max(j.whole.parts.users, 1))
			}
			if j.matched != nil {
				out, err := j.buildRows(ctx)
				if err != nil || out != nil {
					return out, err
				}
			}
		}
		if g.tail {
			j.jb = nil // on to the next partition
			j.whole.parts.done(g.p)
			continue
		}
		out, err := j.probe(ctx)
		if err != nil {
			return nil, err
		}
		if out != nil && out.NumRows() > 0 {
			return out, nil
		}
	}
}

// expand collects up to batch.Size (left row, right row) pairs whose keys
// match, from where the last call stopped.
func (j *HashJoin) expand() error {
	j.li, j.ri = j.li[:0], j.ri[:0]
	jb := j.jb
	if jb.unique {
		// A row per key: no chains to follow (and no loads of next, a
		// random access per match in a large build).
		li, ri := j.li[:0], j.ri[:0]
		groups, head := j.groups, jb.head
		pos := j.pos
		for ; pos < len(groups) && len(li) < batch.Size; pos++ {
			if g := groups[pos]; g >= 0 {
				li = append(li, int32(pos))
				ri = append(ri, head[g])
			}
		}
		j.li, j.ri, j.pos = li, ri, pos
		return nil
	}
	for j.pos < len(j.groups) && len(j.li) < batch.Size {
		g := j.groups[j.pos]
		if g < 0 {
			j.pos++
			continue
		}
		r := j.cursor
		if r < 0 {
			r = jb.head[g]
		}
		for r >= 0 && len(j.li) < batch.Size {
			j.li = append(j.li, int32(j.pos))
			j.ri = append(j.ri, r)
			r = jb.next[r]
		}
		if r >= 0 {
			j.cursor = r // the chain goes on in the next call
			break
		}
		j.pos++
		j.cursor = -1
	}
	return nil
}

// applyResidual keeps the pairs in li, ri whose residual condition holds.
func (j *HashJoin) applyResidual(ctx context.Context) error {
	if j.spec.Residual == nil || len(j.li) == 0 {
		return nil
	}
	pairs, err := gatherPairs(ctx, joinSchema(j.left.Schema(), j.build.right.Schema(), Inner), j.lb, j.jb.rb, j.li, j.ri)
	if err != nil {
		return err
	}
	m, err := j.spec.Residual.Eval(j.ec, pairs)
	if err != nil {
		return err
	}
	mask := m.(*array.Boolean)
	k := 0
	for p := range j.li {
		if mask.IsValid(p) && mask.Value(p) {
			j.li[k], j.ri[k] = j.li[p], j.ri[p]
			k++
		}
	}
	j.li, j.ri = j.li[:k], j.ri[:k]
	return nil
}

// filterLeft is the output of a semi, anti or mark join for a left batch
// whose hits are known.
func (j *HashJoin) filterLeft(ctx context.Context, lb arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(lb.NumRows())
	rightEmpty := j.jb.rows == 0
	// unknown: NOT IN / IN against a set holding NULLs, or a NULL probe.
	unknown := func(i int) bool {
		return j.spec.NullAware && !rightEmpty && (j.jb.hasNull || j.keyNull[i])
	}
	switch j.spec.Type {
	case Semi, Anti:
		rows := make([]int32, 0, n)
		for i := 0; i < n; i++ {
			keep := j.hit[i]
			if j.spec.Type == Anti {
				keep = !j.hit[i] && !unknown(i)
			}
			if keep {
				rows = append(rows, int32(i))
			}
		}
		if len(rows) == n {
			return lb, nil
		}
		return gatherRows(ctx, j.schema, lb, rows)
	}
	vals := make([]bool, n)
	valid := make([]bool, n)
	for i := 0; i < n; i++ {
		switch {
		case j.hit[i]:
			vals[i], valid[i] = true, true
		case unknown(i):
		default:
			valid[i] = true
		}
	}
	b := array.NewBooleanBuilder(j.ec.Mem)
	b.AppendValues(vals, valid)
	cols := append(append([]arrow.Array(nil), lb.Columns()...), b.NewArray())
	return array.NewRecordBatch(j.schema, cols, int64(n)), nil
}

// buildRows emits, in pieces, the build rows a join outputs once its
// probe is done: the unmatched ones beside NULLs (right, full joins), or
// alone the matched (right semi) or unmatched (right anti) ones.
func (j *HashJoin) buildRows(ctx context.Context) (arrow.RecordBatch, error) {
	if j.spec.Type == Right || j.spec.Type == Full {
		return j.unmatchedRight(ctx)
	}
	return j.markedRight(ctx)
}

// markedRight emits, in pieces, the right rows of a right semi join that
// some left row matched, or of a right anti join that none did.
func (j *HashJoin) markedRight(ctx context.Context) (arrow.RecordBatch, error) {
	want := j.spec.Type == RightSemi
	var rows []int32
	for j.tailPos < len(j.matched) && len(rows) < batch.Size {
		if j.matched[j.tailPos] == want {
			rows = append(rows, int32(j.tailPos))
		}
		j.tailPos++
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return gatherRows(ctx, j.schema, j.jb.rb, rows)
}

// unmatchedRight emits, in pieces, the right rows no left row matched,
// beside NULLs.
func (j *HashJoin) unmatchedRight(ctx context.Context) (arrow.RecordBatch, error) {
	var li, ri []int32
	for j.tailPos < len(j.matched) && len(ri) < batch.Size {
		if !j.matched[j.tailPos] {
			ri = append(ri, int32(j.tailPos))
			li = append(li, -1)
		}
		j.tailPos++
	}
	if len(ri) == 0 {
		return nil, nil
	}
	empty := array.NewRecordBatch(j.left.Schema(), emptyCols(j.left.Schema()), 0)
	return gatherPairs(ctx, j.schema, empty, j.jb.rb, li, ri)
}

// gatherPairs builds left row li[p] beside right row ri[p] (-1 = NULLs).
func gatherPairs(ctx context.Context, schema *arrow.Schema, lb, rb arrow.RecordBatch, li, ri []int32) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, lb.NumCols()+rb.NumCols())
	for _, c := range lb.Columns() {
		out, err := batch.Gather(ctx, c, li)
		if err != nil {
			return nil, err
		}
		cols = append(cols, out)
	}
	for _, c := range rb.Columns() {
		out, err := batch.Gather(ctx, c, ri)
		if err != nil {
			return nil, err
		}
		cols = append(cols, out)
	}
	return array.NewRecordBatch(schema, cols, int64(len(li))), nil
}

// pairRows builds left row li[p] beside right row ri[p] (-1 = NULLs).
func pairRows(ctx context.Context, ls, rs *arrow.Schema, lb, rb arrow.RecordBatch, li, ri []int64) (arrow.RecordBatch, error) {
	l32 := make([]int32, len(li))
	r32 := make([]int32, len(ri))
	for i := range li {
		l32[i], r32[i] = int32(li[i]), int32(ri[i])
	}
	return gatherPairs(ctx, joinSchema(ls, rs, Inner), lb, rb, l32, r32)
}
