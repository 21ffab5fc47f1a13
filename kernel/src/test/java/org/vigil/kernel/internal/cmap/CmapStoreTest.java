package org.vigil.kernel.internal.cmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapEvent;
import org.vigil.kernel.api.CmapException;
import org.vigil.kernel.api.CmapType;

class CmapStoreTest {

    private final CmapStore cmap = new CmapStore();

    @Test
    void typedValuesPrintAsCorosyncCmapctl() {
        cmap.setU32("totem.token", 3000);
        cmap.setString("totem.transport", "udpu");
        cmap.set("stats.srp.mcast_tx", CmapType.UINT64, -1L);
        cmap.set("x.i8", CmapType.INT8, -5L);
        assertEquals("totem.token (u32) = 3000", cmap.get("totem.token").orElseThrow().toCmapctlLine());
        assertEquals("totem.transport (str) = udpu", cmap.get("totem.transport").orElseThrow().toCmapctlLine());
        assertEquals("stats.srp.mcast_tx (u64) = 18446744073709551615",
            cmap.get("stats.srp.mcast_tx").orElseThrow().toCmapctlLine());
        assertEquals("x.i8 (i8) = -5", cmap.get("x.i8").orElseThrow().toCmapctlLine());
    }

    @Test
    void rangeAndClassAreChecked() {
        assertThrows(CmapException.class, () -> cmap.set("a.u8", CmapType.UINT8, 256L));
        assertThrows(CmapException.class, () -> cmap.set("a.u32", CmapType.UINT32, -1L));
        assertThrows(CmapException.class, () -> cmap.set("a.str", CmapType.STRING, 5L));
        assertThrows(CmapException.class, () -> cmap.set("a.int", CmapType.INT32, "5"));
        assertTrue(cmap.iterate("a.").isEmpty(), "nothing half-stored");
    }

    @Test
    void keyNamesFollowCorosyncRules() {
        assertThrows(CmapException.class, () -> cmap.setU32("ab", 1));
        assertThrows(CmapException.class, () -> cmap.setU32("bad key", 1));
        CmapException e = assertThrows(CmapException.class, () -> cmap.setU32("k".repeat(256), 1));
        assertEquals(CmapException.Error.NAME_TOO_LONG, e.error());
        cmap.setU32("ok.key/with:all-chars_1", 1);
    }

    @Test
    void prefixIterationIsSortedAndExact() {
        cmap.setU32("totem.token", 1);
        cmap.setU32("totem.token_coefficient", 2);
        cmap.setU32("totem.join", 3);
        cmap.setU32("totemx.other", 4);
        List<String> keys = cmap.iterate("totem.").stream().map(CmapEntry::key).toList();
        assertEquals(List.of("totem.join", "totem.token", "totem.token_coefficient"), keys);
        assertEquals(4, cmap.iterate("").size());
    }

    @Test
    void addWrapsWithinTheTypeAndCreatesMissingKeysAsU64() {
        cmap.set("c.u8", CmapType.UINT8, 255L);
        assertEquals(0, cmap.add("c.u8", 1));
        assertEquals(5, cmap.add("c.new", 5));
        assertEquals(CmapType.UINT64, cmap.get("c.new").orElseThrow().type());
        cmap.setString("c.s", "x");
        assertThrows(CmapException.class, () -> cmap.add("c.s", 1));
    }

    @Test
    void trackersSeeAddModifyDeleteForTheirKeyOrPrefix() throws Exception {
        List<CmapEvent> exact = new ArrayList<>();
        List<CmapEvent> prefix = new ArrayList<>();
        AutoCloseable t1 = cmap.track("runtime.members.1.status", false, exact::add);
        cmap.track("runtime.members.", true, prefix::add);
        cmap.setString("runtime.members.1.status", "joined");
        cmap.setString("runtime.members.1.status", "joined");
        cmap.setString("runtime.members.1.status", "left");
        cmap.setU32("runtime.members.2.join_count", 1);
        cmap.delete("runtime.members.1.status");
        assertEquals(List.of(CmapEvent.Kind.ADD, CmapEvent.Kind.MODIFY, CmapEvent.Kind.DELETE),
            exact.stream().map(CmapEvent::kind).toList(), "an unchanged value is not an event");
        assertEquals("joined", exact.get(1).oldEntry().value());
        assertEquals(4, prefix.size());
        t1.close();
        cmap.setString("runtime.members.1.status", "joined");
        assertEquals(3, exact.size());
        assertEquals(5, prefix.size());
    }

    @Test
    void aFailingTrackerDoesNotBreakTheWrite() {
        cmap.track("a.", true, e -> {
            throw new IllegalStateException("boom");
        });
        cmap.setU32("a.b.c", 1);
        assertEquals(1L, cmap.get("a.b.c").orElseThrow().value());
    }

    @Test
    void readOnlyKeysFollowCorosync() {
        assertTrue(cmap.isReadOnly("totem.transport"));
        assertTrue(cmap.isReadOnly("runtime.config.totem.token"));
        assertTrue(cmap.isReadOnly("nodelist.node.0.ring0_addr"));
        assertFalse(cmap.isReadOnly("totem.token"));
        assertFalse(cmap.isReadOnly("quorum.expected_votes"));
    }

    @Test
    void cmapctlValueParsing() {
        assertEquals(7L, CmapType.UINT8.parse("7"));
        assertThrows(CmapException.class, () -> CmapType.UINT8.parse("300"));
        assertThrows(CmapException.class, () -> CmapType.INT32.parse("x"));
        assertEquals(1.5, CmapType.DOUBLE.parse("1.5"));
        assertEquals(2, ((byte[]) CmapType.BINARY.parse("0a0b")).length);
        assertThrows(CmapException.class, () -> CmapType.BINARY.parse("zz"));
    }
}
