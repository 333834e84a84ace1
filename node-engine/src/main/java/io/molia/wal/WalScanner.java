package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads one shard's WAL the one way every user needs it (recovery, verify, replay, dump, stats): the latest valid
 * snapshot, then every generation after it in order, each entry checked for length, checksum, type, version and
 * sequence. Problems are collected with shard, generation, Chronicle index and sequence; reading goes on after a
 * problem (so {@code verify} sees everything and nothing valid before it is lost), but state is applied only up to
 * the first problem.
 *
 * <p>Not thread-safe; one scan per instance.
 */
public final class WalScanner {
    /** One problem, printable as one line. */
    public record Problem(int shard, long generation, long index, long sequence, String message) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("shard ").append(shard);
            if (generation >= 0) {
                b.append(" gen ").append(generation);
            }
            if (index >= 0) {
                b.append(" index 0x").append(Long.toHexString(index));
            }
            if (sequence >= 0) {
                b.append(" seq ").append(sequence);
            }
            return b.append(": ").append(message).toString();
        }
    }

    /**
     * Bytes {@code [from, to)} of a queue file that the scan did not keep as entries, and why: what
     * {@code molia wal salvage} sets aside. {@code kept} counts the entries found inside them that verify (complete
     * entries Chronicle no longer reads), which salvage keeps.
     */
    public record Damage(long generation, long index, Path file, long from, long to, long kept, String why) {
    }

    /** One valid entry as read; the buffer is reused, valid during the callback only. */
    public static final class Entry {
        public int shard;
        public long generation;
        public long index;
        public long sequence;
        public int type;
        public int version;
        public byte[] buf;
        public int length;
        /** Wall time of the entry as far as the WAL knows it (the last header or record_put seen), ms. */
        public long wallMs;

        public int payloadOffset() {
            return WalFormat.HEADER_BYTES;
        }

        public int payloadLength() {
            return length - WalFormat.HEADER_BYTES;
        }
    }

    /** Receives each valid entry in order before it is applied; returns false to stop (that entry not applied). */
    public interface Visitor {
        boolean onEntry(Entry e);
    }

    private final int shard;
    private final Path shardDir;
    private final List<Problem> problems = new ArrayList<>();
    private final List<Damage> damage = new ArrayList<>();
    /** Sequence ranges {first, last} that no kept entry holds (salvage's account of what was lost). */
    private final List<long[]> lostSequences = new ArrayList<>();
    private final WalFormat format = new WalFormat();
    private final Entry entry = new Entry();
    private WalState state;
    private SnapshotFile.Contents snapshot;
    private long lastSequence;
    private long lastGeneration;
    private long entriesRead;
    private long validAfterFirstProblem;
    /** A queue that yields no document held completed appends or was cut short: what it held may be acknowledged. */
    private boolean acknowledgedMayBeLost;
    private long firstIndex = -1;
    private long lastIndex = -1;
    private boolean applying = true;
    private boolean stopped;
    private boolean seek;
    private long emptyLastGeneration = -1;
    /** Keep every entry that verifies, past any problem (molia wal salvage); see {@link #salvage()}. */
    private boolean salvage;
    /** A node may be appending to the newest generation (a read-only tool on a live data dir). */
    private boolean live;
    private long entriesFoundInDamage;

    public WalScanner(int shard, Path shardDir) {
        this.shard = shard;
        this.shardDir = shardDir;
    }

    /**
     * Salvage mode, before {@link #scan}: every entry that verifies is applied, also after a problem (a bad entry is
     * skipped, a sequence gap is recorded in {@link #lostSequences()}), and bytes Chronicle cannot read (trailing
     * bytes, a queue unreadable past a point) are searched for complete entries that verify, which are applied too.
     * Everything not kept is listed in {@link #damage()}.
     */
    public WalScanner salvage() {
        salvage = true;
        return this;
    }

    /**
     * Before {@link #scan}: a running node may be appending to the newest generation (it holds the data dir's lock),
     * so its unfinished end is not damage: no trailing-bytes check there, and a newest generation still being
     * created is not classified. Everything before it is read as usual (the node never writes there).
     */
    public WalScanner live() {
        live = true;
        return this;
    }

    /**
     * Scans the shard. With {@code applySnapshot} the latest valid snapshot is loaded and only later entries are
     * visited; without, every generation present is visited from its start (dump, stats). {@code onlyGeneration}
     * (may be null) limits the scan to one queue. Entries from {@code fromIndex} on are visited (all are checked).
     */
    public WalScanner scan(boolean applySnapshot, Long onlyGeneration, long fromIndex, Visitor visitor)
            throws IOException {
        seek = false;
        return scan0(applySnapshot, onlyGeneration, fromIndex, visitor);
    }

    /**
     * Reads generation {@code generation} from Chronicle index {@code fromIndex} on, without reading what comes
     * before (so without the header and sequence checks that need it): {@code dump --follow}.
     */
    public WalScanner tail(long generation, long fromIndex, Visitor visitor) throws IOException {
        seek = true;
        return scan0(false, generation, fromIndex, visitor);
    }

    private WalScanner scan0(boolean applySnapshot, Long onlyGeneration, long fromIndex, Visitor visitor)
            throws IOException {
        state = new WalState();
        List<Long> gens = WalLayout.generations(shardDir);
        List<Long> snaps = WalLayout.snapshots(shardDir);
        long covered = 0;
        long expectSeq = 1;
        if (applySnapshot && onlyGeneration == null) {
            for (int i = snaps.size() - 1; i >= 0; i--) {
                Path file = WalLayout.snapshotFile(shardDir, snaps.get(i));
                try {
                    SnapshotFile.Contents c = SnapshotFile.read(file);
                    if (c.shard() != shard) {
                        throw new WalCorruptException(file.getFileName() + ": belongs to shard " + c.shard());
                    }
                    snapshot = c;
                    break;
                } catch (WalCorruptException e) {
                    problems.add(new Problem(shard, snaps.get(i), -1, -1, e.getMessage()));
                }
            }
            if (snapshot != null) {
                state = snapshot.state();
                covered = snapshot.generation();
                expectSeq = snapshot.lastSequence() + 1;
                lastSequence = snapshot.lastSequence();
                lastGeneration = covered;
            } else if (salvage && !snaps.isEmpty()) {
                covered = salvageSnapshot(snaps.get(snaps.size() - 1));
                expectSeq = lastSequence > 0 ? lastSequence + 1 : -1; // a damaged header: the next generation's says
            }
        }
        List<Long> toRead = new ArrayList<>();
        for (long g : gens) {
            if ((onlyGeneration == null || g == onlyGeneration) && g > covered) {
                toRead.add(g);
            }
        }
        if (applySnapshot && onlyGeneration == null) {
            long first = toRead.isEmpty() ? covered + 1 : toRead.get(0);
            if (first != covered + 1) {
                problems.add(new Problem(shard, first, -1, -1, "generations " + (covered + 1) + ".." + (first - 1)
                        + " are gone and no valid snapshot covers them (snapshot-"
                        + String.format("%08d", first - 1) + ".snap missing or corrupt): their records are lost"));
                applying = true; // what follows is still replayed: nothing valid after the gap is dropped
                expectSeq = salvage ? expectSeq : -1; // salvage: the next header tells which sequences are lost
            }
        }
        if (snapshot == null && !toRead.isEmpty() && toRead.get(0) != 1 && !salvage) {
            // reading from a generation after a compaction without its snapshot (dump, stats, verify's walk of
            // generations a snapshot covers): where the sequence starts is the header's word
            expectSeq = -1;
        }
        long prevGen = -1;
        for (long g : toRead) {
            if (stopped) {
                break;
            }
            if (prevGen >= 0 && g != prevGen + 1) {
                problems.add(new Problem(shard, g, -1, -1, "generation " + (prevGen + 1) + " is missing"));
                expectSeq = salvage ? expectSeq : -1;
            }
            prevGen = g;
            long before = entriesRead;
            expectSeq = readGeneration(g, expectSeq, fromIndex, visitor, g == toRead.get(toRead.size() - 1));
            if (entriesRead > before || g != toRead.get(toRead.size() - 1)) {
                lastGeneration = g;
            }
        }
        return this;
    }

    private long readGeneration(long gen, long expectSeq, long fromIndex, Visitor visitor, boolean lastOfShard) {
        Path dir = WalLayout.generationDir(shardDir, gen);
        if (!Files.isDirectory(dir)) {
            problems.add(new Problem(shard, gen, -1, -1, "queue directory missing"));
            return -1;
        }
        if (queueFiles(dir).isEmpty()) {
            // No cycle file, so no append ever began: a SIGKILL as the generation began, maybe while Chronicle was
            // creating its table store (metadata.cq4t), which Chronicle then cannot open read-only (its header not
            // complete: "Unable to claim exclusive shared lock" after 10 s; its listing entries not written: "key
            // listing.highestCycle does not exist"; both met by WalKillIT). Empty, and not opened
            if (!seek && !live && lastOfShard) {
                emptyLastGeneration = gen;
            }
            return expectSeq;
        }
        if (WalQueues.tableStoreUnfinished(dir)) {
            // A cycle file beside a table store Chronicle never finished: no kill leaves that (Chronicle finishes the
            // store before any append; the appender's lock lives in it), so the files decide between empty and
            // damaged, without Chronicle's 10 s retry. In seek mode (dump --follow) its creator may be finishing it
            if (!seek && !(live && lastOfShard)) { // a live node may be creating its newest generation
                classifyEmpty(gen, dir, lastOfShard, "the queue was never fully created (metadata.cq4t has no "
                        + "complete header)");
            }
            return expectSeq;
        }
        boolean first = true;
        long index = -1;
        long readHere = 0;
        long lastDocEnd = -1;
        long docStart = -1;
        int lastDocCycle = Integer.MIN_VALUE;
        byte[] buf = new byte[4096];
        try (SingleChronicleQueue q = WalQueues.openReadOnly(dir); ExcerptTailer t = q.createTailer()) {
            if (seek && fromIndex > 0) {
                if (!t.moveToIndex(fromIndex)) {
                    return expectSeq; // nothing there yet
                }
                first = false;
                expectSeq = -1;
            }
            while (!stopped) {
                int len;
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    index = dc.index();
                    Bytes<?> bytes = dc.wire().bytes();
                    docStart = bytes.readPosition() - 4; // Chronicle's length word before the entry
                    len = (int) bytes.readRemaining();
                    lastDocEnd = bytes.readLimit(); // an absolute offset in the cycle file
                    lastDocCycle = t.cycle();
                    if (buf.length < len) {
                        buf = new byte[Math.max(len, buf.length * 2)];
                    }
                    bytes.read(buf, 0, len);
                }
                entriesRead++;
                readHere++;
                long seq = check(gen, index, buf, len, first, expectSeq);
                if (seq == Long.MIN_VALUE) {
                    applying = salvage;
                    // resynchronise on the next valid entry: one bad entry is one problem. Salvage keeps counting
                    // instead, so the next valid entry tells which sequences went with this one
                    expectSeq = salvage ? expectSeq : -1;
                    first = false;
                    setAside(gen, index, WalQueues.cycleFile(dir, lastDocCycle), docStart, lastDocEnd);
                    continue;
                }
                if (!problems.isEmpty()) {
                    validAfterFirstProblem++;
                }
                int type = WalFormat.type(buf, 0);
                if (type == WalFormat.TYPE_HEADER) {
                    first = false;
                    expectSeq = seq;
                    if (salvage) { // a damaged snapshot header left the sequence unknown: never reuse one
                        lastSequence = Math.max(lastSequence, seq - 1);
                    }
                    entry.wallMs = WalFormat.getLong(buf, WalFormat.HEADER_BYTES + 16);
                } else {
                    expectSeq = seq + 1;
                    if (type == WalFormat.TYPE_RECORD_PUT) {
                        entry.wallMs = WalFormat.getLong(buf, WalFormat.HEADER_BYTES + 32);
                    }
                }
                if (firstIndex < 0) {
                    firstIndex = index;
                }
                lastIndex = index;
                if (index < fromIndex) {
                    lastSequence = type == WalFormat.TYPE_HEADER ? lastSequence : Math.max(lastSequence, seq);
                    continue;
                }
                entry.shard = shard;
                entry.generation = gen;
                entry.index = index;
                entry.sequence = seq;
                entry.type = type;
                entry.version = WalFormat.version(buf, 0);
                entry.buf = buf;
                entry.length = len;
                if (visitor != null && !visitor.onEntry(entry)) {
                    stopped = true; // the visitor refused this entry: it is not applied
                    break;
                }
                if (type != WalFormat.TYPE_HEADER) {
                    lastSequence = Math.max(lastSequence, seq);
                }
                if (applying) {
                    String bad = state.apply(type, buf, WalFormat.HEADER_BYTES, len - WalFormat.HEADER_BYTES);
                    if (bad != null) {
                        problems.add(new Problem(shard, gen, index, seq, bad));
                        applying = salvage;
                        setAside(gen, index, WalQueues.cycleFile(dir, lastDocCycle), docStart, lastDocEnd);
                    }
                }
            }
            if (!stopped && !seek && lastDocEnd > 0 && lastDocCycle == q.lastCycle() && !(live && lastOfShard)) {
                expectSeq = checkTrailingBytes(gen, index, WalQueues.cycleFile(dir, lastDocCycle), lastDocEnd,
                        lastOfShard, expectSeq);
            }
        } catch (Exception | InternalError | AssertionError e) {
            // InternalError: a mapped read past the end of a truncated file (SIGBUS, turned into an error by the JVM).
            // Exception: Chronicle throws checked ones undeclared, e.g. StreamCorruptedException for a file whose
            // first header is damaged (found by WalQueueFuzzTest)
            if (e instanceof AssertionError a && !fromChronicle(a)) {
                throw a; // an invariant of ours, not the file's
            }
            String problem = "queue unreadable after this index: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()));
            applying = salvage;
            if (seek) {
                problems.add(new Problem(shard, gen, index, -1, problem));
            } else {
                expectSeq = unreadableRest(gen, index, dir, lastDocCycle, lastDocEnd, problem, expectSeq);
            }
        }
        if (readHere == 0 && !seek) {
            classifyEmpty(gen, dir, lastOfShard, "the queue reads as empty");
        } else if (first && !stopped && !seek) {
            problems.add(new Problem(shard, gen, -1, -1, "generation has no valid header entry"));
        }
        return expectSeq;
    }

    /**
     * A queue that yields no document either was killed as it began (it holds nothing, so nothing in it was ever
     * acknowledged) or is damaged; the files tell which. {@code how} says why nothing was read, for the problem.
     */
    private void classifyEmpty(long gen, Path dir, boolean lastOfShard, String how) {
        long hidden = completeEntryOffset(dir, gen);
        String cut = hidden < 0 ? fileCutShort(dir) : null;
        if (cut != null) {
            // Chronicle reads no document and a file of the queue is not a whole number of pages: it was cut
            // short after Chronicle sized it, so whatever it held past the cut is lost, maybe acknowledged entries.
            // Never taken for an empty generation. Found by WalQueueFuzzTest (a damaged file header and a cut
            // inside the first entry).
            problems.add(new Problem(shard, gen, -1, -1, how + " and " + cut + ": its structure is damaged"));
            applying = salvage;
            acknowledgedMayBeLost = true;
            setAsideQueue(gen, dir);
        } else if (hidden >= 0) {
            // Chronicle reads no document, yet the file holds a completed append: the queue's own structure is
            // damaged, and what it held may be acknowledged entries. Never taken for an empty generation (recovery
            // would delete it). Found by WalQueueFuzzTest.
            problems.add(new Problem(shard, gen, -1, -1, how + " but holds a completed entry at byte " + hidden
                    + " of its file: its structure is damaged"));
            applying = salvage;
            acknowledgedMayBeLost = true;
            setAsideQueue(gen, dir);
        } else if (lastOfShard) {
            // Killed between creating the queue and completing its header (or its table store): it holds nothing,
            // not even a header, so nothing in it was ever acknowledged. The newest such generation is deleted by
            // recovery; an older one (a later start or compaction began the next generation) holds nothing either,
            // and the next compaction deletes it with the generations its snapshot covers. WalKillIT met one after
            // SIGKILL.
            emptyLastGeneration = gen;
        }
    }

    /**
     * After the last complete document of the newest cycle file only zeros may follow (or Chronicle's end-of-file
     * marker), to the end of the file. Anything else is reported like kafka-dump-log's trailing invalid bytes, and
     * what it is decides how recovery treats it: in the newest generation, with no complete entry in it, an append
     * torn by a crash (Chronicle writes a document's header as "not complete" first), never acknowledged; complete
     * entries that verify, or any such bytes in an older generation (recovery set a torn tail aside before starting
     * the next one), are damage a crash does not leave. Returns the sequence expected next (salvage keeps those
     * entries).
     */
    private long checkTrailingBytes(long gen, long lastIndex, Path file, long end, boolean lastOfShard,
            long expectSeq) {
        NonZero nz = nonZero(file, (end + 3) & ~3L);
        if (nz.count() == 0) {
            return expectSeq;
        }
        Found found = findEntries(file, nz.from(), nz.to(), expectSeq);
        String why;
        if (found.entries() > 0) {
            acknowledgedMayBeLost = true;
            why = "; " + found + " in them verify: entries the queue no longer reads, not an append torn by a crash";
        } else if (lastOfShard) {
            why = " (an append torn by a crash; never acknowledged)";
        } else {
            why = " (not a crash's torn append: later generations follow, and recovery sets a torn tail aside "
                    + "before it starts the next generation; the file was changed since)";
        }
        String message = "trailing invalid bytes after the last complete entry: " + nz.count() + " non-zero bytes in ["
                + nz.from() + ", " + nz.to() + ") of " + file.getFileName() + why;
        problems.add(new Problem(shard, gen, lastIndex, -1, message));
        damage.add(new Damage(gen, lastIndex, file, nz.from(), nz.to(), found.entries(), message));
        return found.expectSeq();
    }

    /**
     * Salvage, when no snapshot verifies: keeps every entry of the newest one that verifies on its own and sets the
     * rest of it aside. Returns the generation it covers (from its name).
     */
    private long salvageSnapshot(long generation) throws IOException {
        Path file = WalLayout.snapshotFile(shardDir, generation);
        SnapshotFile.Salvaged s = SnapshotFile.salvage(file);
        state = s.state();
        lastSequence = Math.max(s.lastSequence(), 0);
        lastGeneration = generation;
        String why = problems.get(0).message(); // the newest snapshot's, reported first
        for (long[] d : s.damaged()) {
            damage.add(new Damage(generation, -1, file, d[0], d[1], 0, why));
        }
        return generation;
    }

    /**
     * Chronicle threw while reading the queue: the rest of its file after the last document read (the whole of its
     * files when none was read) is set aside, and searched for complete entries that verify (salvage keeps them;
     * otherwise they mean acknowledged entries may be behind the damage). Returns the sequence expected next.
     */
    private long unreadableRest(long gen, long index, Path dir, int cycle, long lastDocEnd, String problem,
            long expectSeq) {
        boolean none = cycle == Integer.MIN_VALUE;
        long from = none ? 0 : (lastDocEnd + 3) & ~3L;
        List<Damage> rest = new ArrayList<>();
        long entries = 0;
        for (Path file : none ? queueFiles(dir) : List.of(WalQueues.cycleFile(dir, cycle))) {
            NonZero nz = nonZero(file, from);
            if (nz.count() > 0) {
                Found found = findEntries(file, nz.from(), nz.to(), expectSeq);
                expectSeq = found.expectSeq();
                entries += found.entries();
                rest.add(new Damage(gen, index, file, nz.from(), nz.to(), found.entries(), problem));
            }
        }
        if (entries > 0) {
            // a complete entry behind the point Chronicle stopped at: not a torn append, maybe acknowledged
            acknowledgedMayBeLost = true;
            problem += "; " + entries + " complete entries after it verify: entries the queue no longer reads";
        }
        problems.add(new Problem(shard, gen, index, -1, problem));
        for (Damage d : rest) {
            damage.add(new Damage(d.generation(), d.index(), d.file(), d.from(), d.to(), d.kept(), problem));
        }
        return expectSeq;
    }

    /** Bytes {@code [from, to)} of {@code file} held an entry that is not kept: set aside, for the last problem. */
    private void setAside(long gen, long index, Path file, long from, long to) {
        damage.add(new Damage(gen, index, file, from, to, 0, problems.get(problems.size() - 1).message()));
    }

    /**
     * A queue Chronicle reads nothing from although it holds completed entries: its files are set aside whole, and
     * the entries in them that verify are kept (salvage).
     */
    private void setAsideQueue(long gen, Path dir) {
        long expectSeq = -1;
        for (Path file : queueFiles(dir)) {
            NonZero nz = nonZero(file, 0);
            if (nz.count() > 0) {
                Found found = findEntries(file, nz.from(), nz.to(), expectSeq);
                expectSeq = found.expectSeq();
                damage.add(new Damage(gen, -1, file, nz.from(), nz.to(), found.entries(),
                        problems.get(problems.size() - 1).message()));
            }
        }
    }

    /** Non-zero bytes of a file from an offset on: how many, and the range from the first to the last. */
    private record NonZero(long count, long from, long to) {
    }

    /**
     * Counts the non-zero bytes of {@code file} from {@code at} to its end, skipping Chronicle's end-of-data word at
     * {@code at}. Chronicle's files are sparse and mostly unwritten, so this reads zeros the kernel makes up.
     */
    private static NonZero nonZero(Path file, long at) {
        long count = 0;
        long first = -1;
        long last = -1;
        byte[] chunk = new byte[1 << 20];
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long pos = at;
            f.seek(pos);
            boolean start = true;
            int n;
            while ((n = f.read(chunk)) > 0) {
                int i = start && n >= 4 && WalFormat.getInt(chunk, 0) == END_OF_DATA ? 4 : 0;
                start = false;
                // mostly zeros: compared a vector at a time, counted byte by byte only where something is there
                if (java.util.Arrays.mismatch(chunk, i, n, ZEROS, i, n) < 0) {
                    pos += n;
                    continue;
                }
                for (; i < n; i++) {
                    if (chunk[i] != 0) {
                        count++;
                        first = first < 0 ? pos + i : first;
                        last = pos + i;
                    }
                }
                pos += n;
            }
        } catch (IOException e) {
            // unreadable as a plain file: nothing more to say than Chronicle did
        }
        return new NonZero(count, first, last + 1);
    }

    private static final byte[] ZEROS = new byte[1 << 20];

    /** Complete entries that verify, found in damaged bytes: how many, their sequences, the sequence after them. */
    private record Found(long entries, long firstSeq, long lastSeq, long expectSeq) {
        @Override
        public String toString() {
            return entries + " complete entr" + (entries == 1 ? "y" : "ies") + " (sequence" + (entries == 1 ? " "
                    + firstSeq : "s " + firstSeq + ".." + lastSeq) + ")";
        }
    }

    /**
     * Finds the complete entries in bytes {@code [from, to)} of a queue file that Chronicle did not read: each behind
     * Chronicle's completed length word, with a valid Molia layout and checksum (entries up to 64 KiB). Salvage
     * applies them in order; otherwise they are only counted.
     */
    private Found findEntries(Path file, long from, long to, long expectSeq) {
        long entries = 0;
        long firstSeq = -1;
        long lastSeq = -1;
        byte[] chunk = new byte[(1 << 20) + MAX_PROBED_ENTRY + 4];
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long limit = Math.min(f.length(), to + MAX_PROBED_ENTRY + 4); // an entry may end in zero bytes
            long pos = Math.max(from, 4); // where the next entry may start (its length word before it)
            while (pos < to) {
                long base = pos - 4;
                f.seek(base);
                int have = (int) Math.min(chunk.length, limit - base);
                f.readFully(chunk, 0, have);
                boolean lastChunk = base + have >= limit;
                int stop = lastChunk ? have : have - MAX_PROBED_ENTRY - 4; // a whole entry fits after each start
                int i = 4;
                for (; i < stop && base + i < to && i + WalFormat.HEADER_BYTES <= have; i++) {
                    int len = WalFormat.HEADER_BYTES + WalFormat.payloadLength(chunk, i);
                    if (len < WalFormat.HEADER_BYTES || len > MAX_PROBED_ENTRY || i + len > have
                            || WalFormat.getInt(chunk, i - 4) != len || format.check(chunk, i, len) != null
                            || WalFormat.type(chunk, i) == WalFormat.TYPE_HEADER) {
                        continue;
                    }
                    long seq = WalFormat.sequence(chunk, i);
                    entries++;
                    firstSeq = firstSeq < 0 ? seq : firstSeq;
                    lastSeq = seq;
                    if (salvage && state.apply(WalFormat.type(chunk, i), chunk, i + WalFormat.HEADER_BYTES,
                            len - WalFormat.HEADER_BYTES) == null) {
                        noteSequence(expectSeq, seq);
                        entriesFoundInDamage++;
                        lastSequence = Math.max(lastSequence, seq);
                        expectSeq = seq + 1;
                    }
                    i += len - 1;
                }
                if (lastChunk || base + i >= to) {
                    break;
                }
                pos = base + i;
            }
        } catch (IOException e) {
            // unreadable as a plain file: nothing found
        }
        return new Found(entries, firstSeq, lastSeq, expectSeq);
    }

    /** Salvage's account: the sequences between the one expected and the one found are held by no kept entry. */
    private void noteSequence(long expectSeq, long seq) {
        if (salvage && expectSeq > 0 && seq > expectSeq) {
            lostSequences.add(new long[] {expectSeq, seq - 1});
        }
    }

    /**
     * The offset of an entry inside a complete Chronicle data document in one of the queue's files, or -1: a
     * document whose length word is complete and equals the entry's own length field. Read only when Chronicle
     * reads no document at all. A generation killed before its header holds no complete document (Chronicle marks
     * an append complete only once written), so any such entry means an append was completed: the queue's structure
     * is damaged. The entry itself may be damaged too (WalQueueFuzzTest: a damaged file header, a damaged first
     * entry and a cut through the second made a full generation read as empty), or cut short with the file. A valid
     * header entry of another shard or generation does not count. Entries up to 64 KiB are probed.
     */
    private long completeEntryOffset(Path dir, long gen) {
        byte[] chunk = new byte[1 << 20];
        for (Path file : queueFiles(dir)) {
            try (java.io.InputStream in = Files.newInputStream(file)) {
                long base = 0;
                int have = 0;
                while (true) {
                    have += in.readNBytes(chunk, have, chunk.length - have);
                    boolean endOfFile = have < chunk.length; // readNBytes fills the chunk unless the file ends
                    for (int i = 4; i + WalFormat.HEADER_BYTES <= have; i++) {
                        int len = WalFormat.HEADER_BYTES + WalFormat.payloadLength(chunk, i);
                        if (len < WalFormat.HEADER_BYTES || len > MAX_PROBED_ENTRY
                                || WalFormat.getInt(chunk, i - 4) != len) { // Chronicle's word: complete, len bytes
                            continue;
                        }
                        if (i + len <= have ? !headerOfAnother(chunk, i, len, gen) : endOfFile) {
                            return base + i; // whole, or completed and then cut short with the file
                        }
                    }
                    if (endOfFile) {
                        break;
                    }
                    int keep = Math.min(have, MAX_PROBED_ENTRY + 4);
                    System.arraycopy(chunk, have - keep, chunk, 0, keep);
                    base += have - keep;
                    have = keep;
                }
            } catch (IOException e) {
                // unreadable as a plain file too: nothing more to say than Chronicle did
            }
        }
        return -1;
    }

    /** The largest entry: a blob manifest of the largest blob (183 KiB, docs/blobs.md), with room to spare. */
    private static final int MAX_PROBED_ENTRY = 256 * 1024;

    /**
     * "file F is N bytes, not a whole number of pages" for the first of the queue's files that Chronicle could not
     * have left so (it creates and grows its files in whole blocks; a file killed before being sized is empty),
     * or null.
     */
    private static String fileCutShort(Path dir) {
        for (Path file : queueFiles(dir)) {
            long size = file.toFile().length();
            if (size % PAGE_BYTES != 0) {
                return "file " + file.getFileName() + " is " + size + " bytes, not a whole number of pages";
            }
        }
        return null;
    }

    /**
     * The queue's cycle files, in order; none when the directory cannot be listed (nothing more to say then than
     * Chronicle did).
     */
    private static List<Path> queueFiles(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static final int PAGE_BYTES = 4096;

    private boolean headerOfAnother(byte[] b, int i, int len, long gen) {
        return b[i] == WalFormat.TYPE_HEADER && format.check(b, i, len) == null
                && ((b[i + 22] & 0xff | (b[i + 23] & 0xff) << 8) != shard
                        || (WalFormat.getInt(b, i + 24) & 0xffff_ffffL) != gen);
    }

    /** Chronicle's end-of-data header (metadata + not-complete bits, length 0). */
    private static final int END_OF_DATA = 0xC0000000;

    /**
     * Chronicle checks some of its file structures with {@code assert}: with {@code -ea} (tests, the simulator) a
     * damaged queue file throws AssertionError from inside Chronicle, which is the file's problem to report, not a
     * broken invariant of ours (found by {@code WalQueueFuzzTest}).
     */
    private static boolean fromChronicle(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length > 0 && st[0].getClassName().startsWith("net.openhft.");
    }

    /** Checks one entry; returns its sequence, or Long.MIN_VALUE after recording a problem. */
    private long check(long gen, long index, byte[] buf, int len, boolean first, long expectSeq) {
        String bad = format.check(buf, 0, len);
        long seq = len < WalFormat.HEADER_BYTES ? -1 : WalFormat.sequence(buf, 0);
        if (bad != null) {
            return fail(gen, index, seq, bad);
        }
        int type = WalFormat.type(buf, 0);
        if (type == WalFormat.TYPE_HEADER) {
            WalEntries.Header h = WalEntries.Header.read(buf, WalFormat.HEADER_BYTES);
            if (h.shard() != shard || h.generation() != gen) {
                return fail(gen, index, seq, "header names shard " + h.shard() + " gen " + h.generation());
            }
            if (!first) {
                return fail(gen, index, seq, "a second header entry inside the generation");
            }
            if (expectSeq > 0 && h.firstSequence() != expectSeq && salvage) {
                noteSequence(expectSeq, h.firstSequence()); // salvage keeps what verifies and counts what is lost
            } else if (expectSeq > 0 && h.firstSequence() != expectSeq) {
                return fail(gen, index, seq, "generation starts at sequence " + h.firstSequence() + ", expected "
                        + expectSeq + (h.firstSequence() > expectSeq ? " (entries missing)" : " (entries repeated)"));
            }
            return h.firstSequence();
        }
        if (first) {
            return fail(gen, index, seq, "first entry of the generation is not its header");
        }
        if (expectSeq > 0 && seq != expectSeq && salvage) {
            noteSequence(expectSeq, seq);
        } else if (expectSeq > 0 && seq != expectSeq) {
            return fail(gen, index, seq, "sequence gap: expected " + expectSeq);
        }
        return seq;
    }

    private long fail(long gen, long index, long seq, String message) {
        problems.add(new Problem(shard, gen, index, seq, message));
        return Long.MIN_VALUE;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The last generation when it holds no entry at all (a start or compaction killed at its first step), or -1. */
    public long emptyLastGeneration() {
        return emptyLastGeneration;
    }

    public List<Problem> problems() {
        return problems;
    }

    /** What the scan did not keep, with where it is (in salvage mode, everything not applied). */
    public List<Damage> damage() {
        return damage;
    }

    /** Salvage: sequence ranges {first, last} no kept entry holds (lost before, between or inside damage). */
    public List<long[]> lostSequences() {
        return lostSequences;
    }

    /** Salvage: entries found and kept inside damaged bytes Chronicle no longer reads. */
    public long entriesFoundInDamage() {
        return entriesFoundInDamage;
    }

    /**
     * The rule that keeps recovery from setting the problems aside as a torn tail, in words, or null when it may
     * (see {@link #problemsOnlyAtTail}).
     */
    public String refusalRule() {
        if (problems.isEmpty() || problemsOnlyAtTail()) {
            return null;
        }
        if (acknowledgedMayBeLost) {
            return "damage that may hide acknowledged entries (complete entries Chronicle no longer reads)";
        }
        return "damage before the tail (" + validAfterFirstProblem + " valid entr" + (validAfterFirstProblem == 1
                ? "y follows" : "ies follow") + " the first problem; a crash tears only the last append)";
    }

    public boolean clean() {
        return problems.isEmpty();
    }

    /** The state after the snapshot and every entry before the first problem. */
    public WalState state() {
        return state;
    }

    public SnapshotFile.Contents snapshot() {
        return snapshot;
    }

    public long lastSequence() {
        return lastSequence;
    }

    public long lastGeneration() {
        return lastGeneration;
    }

    public long entriesRead() {
        return entriesRead;
    }

    public long firstIndex() {
        return firstIndex;
    }

    public long lastIndex() {
        return lastIndex;
    }

    /**
     * True when every problem is at the very end: nothing valid was read after the first one. Such a tail was
     * never acknowledged (an entry is acknowledged only once its append completed), so recovery may set it aside.
     * Not so when a queue that yields no document holds completed appends, or was cut short: what it held may have
     * been acknowledged.
     */
    public boolean problemsOnlyAtTail() {
        return !problems.isEmpty() && validAfterFirstProblem == 0 && !acknowledgedMayBeLost;
    }

    public int shard() {
        return shard;
    }
}
