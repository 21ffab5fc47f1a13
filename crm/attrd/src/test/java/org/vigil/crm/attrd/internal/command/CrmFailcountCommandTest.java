package org.vigil.crm.attrd.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.attrd.internal.DirectAttrd;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrmFailcountCommandTest {

    final DirectAttrd attrd = new DirectAttrd();
    final CrmFailcountCommand tool = new CrmFailcountCommand(attrd, attrd.cib.cib(), attrd.names);

    Run run(String... args) throws Exception {
        return Run.of(tool, args);
    }

    void set(String node, String name, String value) throws Exception {
        attrd.update(AttributeUpdate.set(name, value).on(node));
    }

    @Test
    void theCountIsTheSumOverTheResourcesOperations() throws Exception {
        set("alpha", "fail-count-vip#monitor_10000", "2");
        set("alpha", "fail-count-vip#start_0", "3");
        set("alpha", "fail-count-vip2#start_0", "7");
        set("alpha", "last-failure-vip#start_0", "1678183823");
        set("bravo", "fail-count-vip#start_0", "11");
        assertEquals(new Run(0, "scope=status  name=fail-count-vip value=5\n", ""), run("-G", "-r", "vip"));
        assertEquals(new Run(0, "scope=status  name=fail-count-vip value=11\n", ""),
            run("--query", "--resource=vip", "--node=bravo"));
        assertEquals(new Run(0, "5\n", ""), run("-G", "-r", "vip", "-q"));
        assertEquals(new Run(0, "scope=status  name=fail-count-vip#monitor_10000 value=2\n", ""),
            run("-G", "-r", "vip", "-n", "monitor", "-I", "10s"));
        assertEquals(new Run(0, "scope=status  name=fail-count-db value=0\n", ""), run("-G", "-r", "db"));
    }

    @Test
    void infinitySaturatesTheSum() throws Exception {
        set("alpha", "fail-count-a#start_0", "INFINITY");
        set("alpha", "fail-count-a#monitor_10000", "3");
        assertEquals("scope=status  name=fail-count-a value=INFINITY\n", run("-G", "-r", "a").out());
        set("alpha", "fail-count-b#start_0", "999999");
        set("alpha", "fail-count-b#monitor_10000", "1");
        assertEquals("scope=status  name=fail-count-b value=INFINITY\n", run("-G", "-r", "b").out());
    }

    @Test
    void aCountFromBeforePacemaker1117IsShownUnderItsOwnName() throws Exception {
        set("alpha", "fail-count-old", "4");
        assertEquals("scope=status  name=fail-count-old value=4\n", run("-G", "-r", "old").out());
    }

    @Test
    void anUnknownNodeAnswersAsThePacemakerScriptDoes() throws Exception {
        assertEquals(new Run(0, "scope=status  name=fail-count-vip value=\n",
            "crm_attribute: Could not map name=zulu to a UUID\n"), run("-G", "-r", "vip", "-N", "zulu"));
    }

    @Test
    void deletingClearsTheResourcesFailuresThroughAttrd() throws Exception {
        attrd.cib.apply(new CibRequest(CibRequest.Op.CREATE, "resources", null, XmlText.parse(
            "<primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/>", "test"), Set.of(),
            "cibadmin", "root"));
        set("alpha", "fail-count-vip#monitor_10000", "2");
        set("alpha", "last-failure-vip#monitor_10000", "1678183823");
        set("alpha", "fail-count-db#start_0", "1");
        set("bravo", "fail-count-vip#monitor_10000", "1");
        assertEquals(new Run(0, "Cleaned up vip on alpha\n", ""), run("-D", "-r", "vip"));
        String status = attrd.cib.status();
        assertFalse(status.contains("\"fail-count-vip#monitor_10000\" value=\"2\""), status);
        assertFalse(status.contains("last-failure-vip"), status);
        assertTrue(status.contains("fail-count-db#start_0"), status);
        assertEquals("scope=status  name=fail-count-vip value=1\n", run("-G", "-r", "vip", "-N", "bravo").out(),
            "bravo's stays");
        assertEquals(new Run(0, "", ""), run("-D", "-r", "vip", "-N", "bravo", "-q"));
        assertEquals("scope=status  name=fail-count-vip value=0\n", run("-G", "-r", "vip", "-N", "bravo").out());
    }

    @Test
    void deletingAResourceThatIsNotConfiguredFails() throws Exception {
        assertEquals(new Run(105, "", "crm_resource: Resource 'nope' not found\n"), run("-D", "-r", "nope"));
    }

    @Test
    void usageErrorsPrintTheUsageAndExit64() throws Exception {
        Run r = run("-r", "vip");
        assertEquals(64, r.status());
        assertEquals("error: must specify a command\n", r.err());
        assertEquals("\n" + CrmFailcountCommand.USAGE + "\n", r.out());
        assertEquals("error: resource name required\n", run("-G").err());
        assertEquals("crm_failcount: unrecognized option '--bogus'\n", run("--bogus").err());
        assertEquals(new Run(0, CrmFailcountCommand.HELP + "\n", ""), run("--help"));
    }
}
