package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TotemConfigTest {

    @Test
    void theSeedTimingsComeOutAsCorosyncComputesThem() {
        TotemConfig c = TotemConfig.parse(3, "token: 3000", "token_retransmits_before_loss_const: 10", "join: 60",
            "consensus: 3600", "max_messages: 20");
        assertEquals(3650, c.token());
        assertEquals(357, c.tokenRetransmit());
        assertEquals(275, c.hold());
        assertEquals(3600, c.consensus());
        assertEquals(60, c.join());
        assertEquals(20, c.maxMessages());
        assertEquals(50, c.windowSize());
        assertEquals(1500 - TotemConfig.DATAGRAM_OVERHEAD, c.maxPacket());
        TotemConfig d = TotemConfig.parse(3);
        assertEquals(3650, d.token());
        assertEquals(4380, d.consensus());
        assertEquals(869, d.tokenRetransmit());
        assertEquals(685, d.hold());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TotemConfig.parse(3, "netmtu: 500"));
        assertThrows(IllegalArgumentException.class, () -> TotemConfig.parse(3, "token: abc"));
    }

    @Test
    void ringSequenceFileKeepsTheLastValue(@TempDir Path dir) throws Exception {
        FileRingSeqStore s = new FileRingSeqStore(dir, 3);
        assertEquals(0, s.load());
        s.store(0x1dL);
        s.store(0x21L);
        assertEquals(0x21L, new FileRingSeqStore(dir, 3).load());
        assertEquals(8, Files.size(dir.resolve("ringid_3")));
    }
}
