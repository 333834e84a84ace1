package io.molia.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.molia.contact.NodeAddress;

/**
 * An offline prefix → autonomous system table, for the per-ASN rate limit ({@link SourceLimits}): the many
 * addresses one operator holds count as one source. Read from the tab-separated format iptoasn.com ships
 * ({@code ip2asn-v4.tsv}, {@code ip2asn-v6.tsv}, {@code ip2asn-combined.tsv}, public domain; a sample is in
 * {@code docs/asn-sample.tsv}):
 *
 * <pre>
 * range_start TAB range_end TAB AS_number [TAB country TAB description]
 * 1.0.0.0     TAB 1.0.0.255 TAB 13335     TAB US      TAB CLOUDFLARENET
 * </pre>
 *
 * Ranges are inclusive; AS 0 marks unrouted space and is left out; blank lines and {@code #} comments are skipped.
 * A bad line stops the parse with one line naming the file and the line number. Immutable once built: every shard
 * reads the one table; a lookup is a binary search and allocates nothing.
 */
public final class AsnTable {
    /** No table: every address is of no known AS. */
    public static final AsnTable EMPTY = new AsnTable(new int[0], new int[0], new int[0], new long[0], new long[0],
            new long[0], new long[0], new int[0]);

    private final int[] v4Start;
    private final int[] v4End;
    private final int[] v4Asn;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final long[] v6EndHi;
    private final long[] v6EndLo;
    private final int[] v6Asn;

    private AsnTable(int[] v4Start, int[] v4End, int[] v4Asn, long[] v6StartHi, long[] v6StartLo, long[] v6EndHi,
            long[] v6EndLo, int[] v6Asn) {
        this.v4Start = v4Start;
        this.v4End = v4End;
        this.v4Asn = v4Asn;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6EndHi = v6EndHi;
        this.v6EndLo = v6EndLo;
        this.v6Asn = v6Asn;
    }

    private record Range(long startHi, long startLo, long endHi, long endLo, int asn, int line) {
    }

    /**
     * Parses {@code lines} of the file {@code source} (its name, for errors).
     *
     * @throws IllegalArgumentException one line: "{@code source} line N: what is wrong"
     */
    public static AsnTable parse(List<String> lines, String source) {
        List<Range> v4 = new ArrayList<>();
        List<Range> v6 = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int lineNo = i + 1;
            String[] cols = line.split("\t");
            if (cols.length < 3) {
                throw bad(source, lineNo, "expected range_start, range_end and AS_number separated by tabs");
            }
            long[] start = parseIp(cols[0].strip(), source, lineNo);
            long[] end = parseIp(cols[1].strip(), source, lineNo);
            if ((start[2] == 4) != (end[2] == 4)) {
                throw bad(source, lineNo, "the range mixes IPv4 and IPv6");
            }
            if (compare(start[0], start[1], end[0], end[1]) > 0) {
                throw bad(source, lineNo, "range_start is after range_end");
            }
            long asn;
            try {
                asn = Long.parseLong(cols[2].strip());
            } catch (NumberFormatException e) {
                throw bad(source, lineNo, "AS_number is not a number: '" + cols[2].strip() + "'");
            }
            if (asn < 0 || asn > 0xffff_ffffL) {
                throw bad(source, lineNo, "AS_number out of range: " + asn);
            }
            if (asn != 0) { // 0: not routed
                (start[2] == 4 ? v4 : v6).add(new Range(start[0], start[1], end[0], end[1], (int) asn, lineNo));
            }
        }
        Comparator<Range> byStart = (a, b) -> compare(a.startHi, a.startLo, b.startHi, b.startLo);
        v4.sort(byStart);
        v6.sort(byStart);
        checkDisjoint(v4, source);
        checkDisjoint(v6, source);
        int[] s4 = new int[v4.size()];
        int[] e4 = new int[v4.size()];
        int[] a4 = new int[v4.size()];
        for (int i = 0; i < s4.length; i++) {
            s4[i] = (int) v4.get(i).startLo;
            e4[i] = (int) v4.get(i).endLo;
            a4[i] = v4.get(i).asn;
        }
        long[] sh = new long[v6.size()];
        long[] sl = new long[v6.size()];
        long[] eh = new long[v6.size()];
        long[] el = new long[v6.size()];
        int[] a6 = new int[v6.size()];
        for (int i = 0; i < sh.length; i++) {
            Range r = v6.get(i);
            sh[i] = r.startHi;
            sl[i] = r.startLo;
            eh[i] = r.endHi;
            el[i] = r.endLo;
            a6[i] = r.asn;
        }
        return new AsnTable(s4, e4, a4, sh, sl, eh, el, a6);
    }

    /** Ranges in the table. */
    public int size() {
        return v4Start.length + v6Asn.length;
    }

    /** The AS that announces {@code address}, or 0 when none in the table does. */
    public int asnOf(NodeAddress address) {
        if (address.isIpv4()) {
            int ip = address.ipv4();
            int lo = 0;
            int hi = v4Start.length - 1;
            int found = -1;
            while (lo <= hi) { // the last range starting at or before ip
                int mid = (lo + hi) >>> 1;
                if (Integer.compareUnsigned(v4Start[mid], ip) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found >= 0 && Integer.compareUnsigned(ip, v4End[found]) <= 0 ? v4Asn[found] : 0;
        }
        long aHi = address.hi();
        long aLo = address.lo();
        int lo = 0;
        int hi = v6Asn.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(v6StartHi[mid], v6StartLo[mid], aHi, aLo) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && compare(aHi, aLo, v6EndHi[found], v6EndLo[found]) <= 0 ? v6Asn[found] : 0;
    }

    private static void checkDisjoint(List<Range> ranges, String source) {
        for (int i = 1; i < ranges.size(); i++) {
            Range prev = ranges.get(i - 1);
            Range r = ranges.get(i);
            if (compare(r.startHi, r.startLo, prev.endHi, prev.endLo) <= 0) {
                throw bad(source, Math.max(r.line, prev.line), "the range overlaps the one of line "
                        + Math.min(r.line, prev.line));
            }
        }
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    private static IllegalArgumentException bad(String source, int line, String what) {
        return new IllegalArgumentException(source + " line " + line + ": " + what);
    }

    /** {hi, lo, family}: IPv4 as the low 32 bits of lo (family 4), IPv6 as 128 bits (family 6). */
    private static long[] parseIp(String text, String source, int line) {
        if (text.indexOf(':') < 0) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                throw bad(source, line, "not an IP address: '" + text + "'");
            }
            long ip = 0;
            for (String p : parts) {
                int octet = decimalOctet(p);
                if (octet < 0) {
                    throw bad(source, line, "not an IP address: '" + text + "'");
                }
                ip = (ip << 8) | octet;
            }
            return new long[] {0, ip, 4};
        }
        int[] groups = ipv6Groups(text);
        if (groups == null) {
            throw bad(source, line, "not an IP address: '" + text + "'");
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | groups[g];
            lo = (lo << 16) | groups[g + 4];
        }
        return new long[] {hi, lo, 6};
    }

    private static int decimalOctet(String p) {
        if (p.isEmpty() || p.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 255 ? v : -1;
    }

    /** The eight 16-bit groups of an IPv6 address in text (with at most one "::"), or null. */
    private static int[] ipv6Groups(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? text.substring(0, gap) : text;
        String tail = gap >= 0 ? text.substring(gap + 2) : "";
        int[] left = hexGroups(head);
        int[] right = hexGroups(tail);
        if (left == null || right == null) {
            return null;
        }
        int given = left.length + right.length;
        if (gap < 0 ? given != 8 : given > 7) {
            return null;
        }
        int[] groups = new int[8];
        System.arraycopy(left, 0, groups, 0, left.length);
        System.arraycopy(right, 0, groups, 8 - right.length, right.length);
        return groups;
    }

    private static int[] hexGroups(String part) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        int[] groups = new int[texts.length];
        for (int i = 0; i < texts.length; i++) {
            String t = texts[i];
            if (t.isEmpty() || t.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < t.length(); j++) {
                int d = Character.digit(t.charAt(j), 16);
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            groups[i] = v;
        }
        return groups;
    }

    @Override
    public String toString() {
        return "AsnTable[" + v4Start.length + " IPv4 ranges, " + v6Asn.length + " IPv6 ranges]";
    }
}
