package org.vigil.shell.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapException;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code corosync-cmapctl}, with corosync's options and output ({@code totem.token (u32) = 3000}):
 * <pre>
 * corosync-cmapctl [-m icmap|stats] [PREFIX...]     list keys (all, or those starting with a prefix)
 * corosync-cmapctl -g KEY...                         get keys
 * corosync-cmapctl -s KEY TYPE VALUE                 set a key (TYPE: i8 u8 i16 u16 i32 u32 i64 u64 flt dbl str bin)
 * corosync-cmapctl -d KEY...                         delete keys
 * corosync-cmapctl -D PREFIX...                      delete keys with a prefix
 * </pre>
 * As in corosync 3, statistics ({@code stats.*}) form a separate map, shown with {@code -m stats}. Keys
 * corosync makes read-only to administrators are refused with {@code CS_ERR_ACCESS}.
 */
@Component(property = {AdminCommand.NAME + "=corosync-cmapctl",
    AdminCommand.DESCRIPTION + "=show and change cmap keys (corosync-cmapctl)"})
public final class CmapctlCommand implements AdminCommand {

    private static final String USAGE = """
        usage:  corosync-cmapctl [-m map] [params...]
            -m select map to use: icmap (default) or stats
        Set key:
            corosync-cmapctl -s key_name type value
            where type is one of ([i|u][8|16|32|64] | flt | dbl | str | bin)
        Delete key:
            corosync-cmapctl -d key_name...
        Delete multiple keys with prefix:
            corosync-cmapctl -D key_prefix...
        Get key:
            corosync-cmapctl -g key_name...
        Display all keys:
            corosync-cmapctl
        Display keys with prefix key_name:
            corosync-cmapctl key_name...""";

    private final Cmap cmap;

    @Activate
    public CmapctlCommand(@Reference Cmap cmap) {
        this.cmap = cmap;
    }

    /**
     * corosync-cmapctl's options, as corosync 3.1.7 parses them: {@code getopt(argc, argv, "m:hqgsdDtTbp:C:")}
     * (tools/corosync-cmapctl.c, main()).
     */
    static ToolOptions options() {
        return ToolOptions.getopt("corosync-cmapctl", USAGE, false)
            .shortValue("m", "MAP", "map: icmap (default) or stats").shortFlag("h", "help")
            .shortFlag("q", "quiet").shortFlag("g", "get").shortFlag("s", "set").shortFlag("d", "delete")
            .shortFlag("D", "delete prefix").shortFlag("t", "track").shortFlag("T", "track prefix")
            .shortFlag("b", "binary").shortValue("p", "FILE", "load").shortValue("C", "WHAT", "clear stats");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        // the real tool's own wording, printed as it is (ToolOptions words getopt's errors with the tool's name)
        return ToolOptions.printingUsage(out, err, () -> run(args, out, err));
    }

    private int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        ToolOptions o = options();
        CommandLine cl = o.parse(args, true);
        if (cl.hasOption("h")) {
            out.println(USAGE);
            return 0;
        }
        String map = "icmap";
        if (cl.hasOption("m")) {
            map = cl.getOptionValue("m");
            if (map.equals("default")) {
                map = "icmap";
            }
            if (!map.equals("icmap") && !map.equals("stats")) {
                throw o.badValue("m", "invalid map name, must be 'default', 'icmap' or 'stats'");
            }
        }
        if (cl.hasOption("C")
            && !List.of("knet", "totem", "ipc", "schedmiss", "all").contains(cl.getOptionValue("C"))) {
            throw o.badValue("C", "argument to -C should be 'knet', 'totem', 'ipc', 'schedmiss' or 'all'");
        }
        // the last action option wins, as in corosync's loop
        char action = 'l';
        for (org.apache.commons.cli.Option opt : cl.getOptions()) {
            switch (opt.getOpt()) {
                case "g", "s", "d", "D" -> action = opt.getOpt().charAt(0);
                case "t", "T", "p", "C", "b", "q" -> throw new UsageException("corosync-cmapctl: option -"
                    + opt.getOpt()
                    + " is not supported by this version of Vigil");
                default -> { }
            }
        }
        List<String> params = cl.getArgList();
        if (params.isEmpty() && action != 'l') {
            throw new UsageException("Expected key after options");
        }
        boolean stats = map.equals("stats");
        switch (action) {
            case 'g' -> {
                int status = 0;
                for (String key : params) {
                    Optional<CmapEntry> e = inMap(key, stats) ? cmap.get(key) : Optional.empty();
                    if (e.isPresent()) {
                        out.println(e.get().toCmapctlLine());
                    } else {
                        err.println("Can't get key " + key + ". Error CS_ERR_NOT_EXIST");
                        status = 1;
                    }
                }
                return status;
            }
            case 's' -> {
                if (params.size() != 3) {
                    throw new UsageException("corosync-cmapctl: -s needs key_name type value\n" + USAGE);
                }
                return set(params.get(0), params.get(1), params.get(2), err);
            }
            case 'd' -> {
                int status = 0;
                for (String key : params) {
                    if (cmap.isReadOnly(key)) {
                        err.println("Can't delete key " + key + ". Error CS_ERR_ACCESS");
                        status = 1;
                    } else if (!cmap.delete(key)) {
                        err.println("Can't delete key " + key + ". Error CS_ERR_NOT_EXIST");
                        status = 1;
                    }
                }
                return status;
            }
            case 'D' -> {
                int status = 0;
                for (String prefix : params) {
                    for (CmapEntry e : cmap.iterate(prefix)) {
                        if (cmap.isReadOnly(e.key())) {
                            err.println("Can't delete key " + e.key() + ". Error CS_ERR_ACCESS");
                            status = 1;
                        } else {
                            cmap.delete(e.key());
                        }
                    }
                }
                return status;
            }
            default -> {
                List<String> prefixes = params.isEmpty() ? List.of("") : params;
                for (String prefix : prefixes) {
                    for (CmapEntry e : cmap.iterate(prefix)) {
                        if (inMap(e.key(), stats)) {
                            out.println(e.toCmapctlLine());
                        }
                    }
                }
                return 0;
            }
        }
    }

    private static boolean inMap(String key, boolean stats) {
        return key.startsWith("stats.") == stats;
    }

    private int set(String key, String typeName, String value, PrintStream err) {
        CmapType type = CmapType.byShortName(typeName);
        if (type == null) {
            err.println("Unknown type '" + typeName + "' (i8 u8 i16 u16 i32 u32 i64 u64 flt dbl str bin)");
            return 1;
        }
        if (cmap.isReadOnly(key)) {
            err.println("Can't set key " + key + ". Error CS_ERR_ACCESS");
            return 1;
        }
        try {
            cmap.set(key, type, type.parse(value));
            return 0;
        } catch (CmapException e) {
            err.println("Can't set key " + key + ". Error " + e.error().csName() + ": " + e.getMessage());
            return 1;
        }
    }
}
