package org.vigil.crm.cib.internal.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlNode;

/**
 * {@code value++} and {@code value+=N} as Pacemaker 2.1.5 expands them ({@code expand_plus_plus()},
 * {@code char2score()}, {@code fix_plus_plus_recursive()}): the cases the differential test against
 * {@code cibadmin} does not reach.
 */
class CibOpsPlusPlusTest {

    @Test
    void scoresAreReadAsCharToScoreReadsThem() {
        assertEquals(1_000_000, CibOps.score("INFINITY"));
        assertEquals(1_000_000, CibOps.score("+INFINITY"));
        assertEquals(-1_000_000, CibOps.score("-INFINITY"));
        assertEquals(0, CibOps.score("infinity"), "INFINITY is case-sensitive");
        assertEquals(0, CibOps.score("red"));
        assertEquals(12, CibOps.score("  12abc"), "strtoll: leading blanks, trailing junk ignored");
        assertEquals(-7, CibOps.score("-7"));
        assertEquals(0, CibOps.score("abc"));
        assertEquals(0, CibOps.score("99999999999999999999"), "overflow falls back to 0");
        assertEquals(1_000_000, CibOps.score("5000000"));
        assertEquals(-1_000_000, CibOps.score("-5000000"));
    }

    @Test
    void expansionIsCappedAtInfinityOnlyFromAbove() {
        assertEquals("1000000", CibOps.expandPlusPlus("999999", "value", "value+=5"));
        assertEquals("-1000005", CibOps.expandPlusPlus("-INFINITY", "value", "value+=-5"));
        assertEquals("4", CibOps.expandPlusPlus("3", "value", "value++"));
        assertNull(CibOps.expandPlusPlus("3", "value", "other++"));
        assertNull(CibOps.expandPlusPlus(null, "value", "value++"));
    }

    @Test
    void valuesLeftUnexpandedAnywhereAreCountedFromZero() {
        XmlNode doc = XmlNode.of("cib").plusChild(XmlNode.of("status").plusChild(XmlNode.of("node_state", "id", "1",
            "count", "count++", "other", "count++", "step", "step+=7")));
        XmlNode fixed = CibOps.expandRemainingPlusPlus(doc);
        XmlNode ns = fixed.firstChild("status").firstChild("node_state");
        assertEquals("1", ns.attribute("count"));
        assertEquals("count++", ns.attribute("other"), "only NAME++ on the attribute NAME itself");
        assertEquals("7", ns.attribute("step"));
        XmlNode plain = XmlNode.of("cib").plusChild(XmlNode.of("configuration"));
        assertSame(plain, CibOps.expandRemainingPlusPlus(plain), "an unchanged document is returned as it is");
    }
}
