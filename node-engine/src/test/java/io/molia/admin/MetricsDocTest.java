package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.molia.metrics.Figure;
import io.molia.metrics.NodeFigures;
import org.junit.jupiter.api.Test;

/** docs/metrics.md lists every figure of the table with its Prometheus series, as the code names them. */
class MetricsDocTest {
    @Test
    void everyFigureIsDocumentedWithItsSeries() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
        List<Figure<?>> figures = new ArrayList<>(NodeFigures.SHARD);
        figures.addAll(NodeFigures.NODE);
        figures.addAll(AdminServer.FIGURES);
        figures.addAll(io.molia.node.BlobRepairCheck.FIGURES);
        for (Figure<?> f : figures) {
            String series = f.family() + (f.counter() ? "_total" : "")
                    + (f.reason() == null ? "" : "{" + f.labelName() + "=\"" + f.reason() + "\"}");
            String row = "| `" + (f.perShard() ? "shard_<i>_" : "") + f.name() + "` | `" + series + "` | "
                    + (f.counter() ? "counter" : "gauge") + " |";
            assertTrue(doc.contains(row), "docs/metrics.md lacks the row " + row);
        }
    }
}
