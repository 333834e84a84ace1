package io.molia.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * The measured all-pairs RTT matrix of 490 PlanetLab sites (per-pair median over 18 frames; MIT licence, see
 * {@code planetlab490-README.md} beside the data). Immutable after loading; shared by all simulated nodes.
 */
public final class LatencyMatrix {
    private static final String RESOURCE = "planetlab490_rtt_ms_median18.tsv.gz";

    private final int sites;
    private final float[] rttMs;

    private LatencyMatrix(int sites, float[] rttMs) {
        this.sites = sites;
        this.rttMs = rttMs;
    }

    /** The PlanetLab matrix shipped with the simulator. */
    public static LatencyMatrix planetLab() {
        try (InputStream raw = LatencyMatrix.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("latency matrix resource missing: " + RESOURCE);
            }
            return parse(new GZIPInputStream(raw));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a square TSV matrix of RTTs in milliseconds, one row per line. */
    static LatencyMatrix parse(InputStream in) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        float[] values = null;
        int n = 0;
        int row = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t");
            if (values == null) {
                n = cells.length;
                values = new float[n * n];
            } else if (cells.length != n) {
                throw new IOException("latency matrix row " + row + " has " + cells.length + " cells, expected " + n);
            }
            if (row >= n) {
                throw new IOException("latency matrix has more than " + n + " rows");
            }
            for (int col = 0; col < n; col++) {
                values[row * n + col] = Float.parseFloat(cells[col]);
            }
            row++;
        }
        if (values == null || row != n) {
            throw new IOException("latency matrix is not square: " + row + " rows of " + n);
        }
        return new LatencyMatrix(n, values);
    }

    public int sites() {
        return sites;
    }

    public double rttMs(int a, int b) {
        return rttMs[a * sites + b];
    }
}
