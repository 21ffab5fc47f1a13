package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.internal.simulate.Simulation;

class PeInputsTest {

    @TempDir
    Path dir;

    private static CibSnapshot cib(int epoch) {
        return new CibSnapshot(XmlNode.of("cib", "admin_epoch", "0", "epoch", Integer.toString(epoch), "num_updates",
            "0", "validate-with", "pacemaker-3.9", "dc-uuid", "1", "have-quorum", "1").withChildren(java.util.List.of(
                XmlNode.of("configuration").withChildren(java.util.List.of(XmlNode.of("crm_config"),
                    XmlNode.of("nodes"), XmlNode.of("resources"), XmlNode.of("constraints"))),
                XmlNode.of("status"))));
    }

    @Test
    void inputsAreNumberedKeptAcrossRestartsWrapAtTheSeriesMaxAndReadBackByTheSimulator() throws Exception {
        PeInputs p = new PeInputs(dir, Runnable::run);
        assertEquals(dir.resolve("pe-input-0.bz2"), p.save(cib(1), 3));
        assertEquals(dir.resolve("pe-input-1.bz2"), p.save(cib(2), 3));
        assertEquals("2", Files.readString(dir.resolve("pe-input.last")).strip());
        // a new controller (a restart, an upgrade) goes on with the series
        PeInputs again = new PeInputs(dir, Runnable::run);
        assertEquals(dir.resolve("pe-input-2.bz2"), again.save(cib(3), 3));
        assertEquals(dir.resolve("pe-input-0.bz2"), again.save(cib(4), 3), "wraps at pe-input-series-max");
        assertNull(again.save(cib(5), 0), "0 keeps none");
        // crm_simulate -x reads them (bzip2, the whole CIB)
        assertEquals("4", Simulation.load(dir.resolve("pe-input-0.bz2")).attribute("epoch"));
        assertEquals("3", Simulation.load(dir.resolve("pe-input-2.bz2")).attribute("epoch"));
        assertFalse(Files.exists(dir.resolve("pe-input-3.bz2")));
        assertTrue(Files.size(dir.resolve("pe-input-1.bz2")) > 0);
    }

    @Test
    void theSeriesMaxComesFromTheClusterOptions() {
        assertEquals(4000, PeInputs.seriesMax(cib(1)));
    }
}
