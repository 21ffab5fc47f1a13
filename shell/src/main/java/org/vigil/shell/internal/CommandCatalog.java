package org.vigil.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * Publishes every {@link AdminCommand} service (from any bundle) as a Gogo command, under its scope (default
 * {@code vigil}) and name, and keeps the list for {@code help}. Commands that come and go with their bundles
 * appear and disappear in Gogo with them.
 */
@Component(service = CommandCatalog.class, immediate = true)
public final class CommandCatalog {

    /** A command name with its description and scope. */
    public record Entry(String name, String scope, String description) {
    }

    private final BundleContext context;
    private final Map<ServiceReference<AdminCommand>, List<ServiceRegistration<Function>>> registrations =
        new ConcurrentHashMap<>();
    private final Map<ServiceReference<AdminCommand>, AdminCommand> pending = new ConcurrentHashMap<>();
    private volatile boolean active;

    @Activate
    public CommandCatalog(BundleContext context) {
        this.context = context;
    }

    @Activate
    void activate() {
        active = true;
        pending.forEach(this::publish);
        pending.clear();
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (List<ServiceRegistration<Function>> regs : registrations.values()) {
            regs.forEach(CommandCatalog::unregister);
        }
        registrations.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindCommand(AdminCommand command, ServiceReference<AdminCommand> ref) {
        if (active) {
            publish(ref, command);
        } else {
            pending.put(ref, command);
        }
    }

    void unbindCommand(AdminCommand command, ServiceReference<AdminCommand> ref) {
        pending.remove(ref);
        List<ServiceRegistration<Function>> regs = registrations.remove(ref);
        if (regs != null) {
            regs.forEach(CommandCatalog::unregister);
        }
    }

    private void publish(ServiceReference<AdminCommand> ref, AdminCommand command) {
        List<ServiceRegistration<Function>> regs = new ArrayList<>();
        for (String name : names(ref)) {
            if (name.contains(" ")) {
                continue; // a two-word command ("pcs quorum") runs through the admin socket only
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(CommandProcessor.COMMAND_SCOPE, scope(ref));
            props.put(CommandProcessor.COMMAND_FUNCTION, name);
            regs.add(context.registerService(Function.class, new GogoFunction(name, command), props));
        }
        registrations.put(ref, regs);
    }

    private static void unregister(ServiceRegistration<?> reg) {
        try {
            reg.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
    }

    /** Every published command, sorted by name. */
    public List<Entry> entries() {
        Map<String, Entry> out = new TreeMap<>();
        for (ServiceReference<AdminCommand> ref : registrations.keySet()) {
            Object d = ref.getProperty(AdminCommand.DESCRIPTION);
            for (String name : names(ref)) {
                out.put(name, new Entry(name, scope(ref), d == null ? "" : d.toString()));
            }
        }
        return new ArrayList<>(out.values());
    }

    static List<String> names(ServiceReference<?> ref) {
        Object v = ref.getProperty(AdminCommand.NAME);
        if (v instanceof String s) {
            return List.of(s);
        }
        return v instanceof String[] a ? List.of(a) : List.of();
    }

    private static String scope(ServiceReference<?> ref) {
        Object s = ref.getProperty(AdminCommand.SCOPE);
        return s == null ? "vigil" : s.toString();
    }

    /** Runs an AdminCommand from Gogo; the exit status goes into the session variable {@code vigil.exit}. */
    private record GogoFunction(String name, AdminCommand command) implements Function {
        @Override
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            List<String> args = new ArrayList<>();
            for (Object a : arguments) {
                args.add(String.valueOf(a));
            }
            PrintStream out = session.getConsole();
            int status;
            try {
                status = command.execute(args, out, System.err);
            } catch (UsageException e) {
                System.err.println(e.getMessage().startsWith(name + ": ") ? e.getMessage()
                    : name + ": " + e.getMessage());
                status = e.status();
            }
            session.put("vigil.exit", status);
            return null;
        }
    }
}
