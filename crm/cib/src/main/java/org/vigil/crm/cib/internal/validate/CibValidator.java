package org.vigil.crm.cib.internal.validate;

import com.thaiopensource.datatype.xsd.DatatypeLibraryFactoryImpl;
import com.thaiopensource.datatype.xsd.regex.java.RegexEngineImpl;
import com.thaiopensource.util.PropertyMapBuilder;
import com.thaiopensource.validate.IncorrectSchemaException;
import com.thaiopensource.validate.Schema;
import com.thaiopensource.validate.ValidateProperty;
import com.thaiopensource.validate.Validator;
import com.thaiopensource.validate.prop.rng.RngProperty;
import com.thaiopensource.validate.rng.SAXSchemaReader;
import com.thaiopensource.xml.sax.Jaxp11XMLReaderCreator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.vigil.crm.api.cib.XmlNode;
import org.xml.sax.ContentHandler;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.AttributesImpl;

/**
 * Validates a CIB as Pacemaker does before it accepts a change: against the RelaxNG schema its {@code
 * validate-with} names ({@code pacemaker-3.9} is {@code pacemaker-3.9.rng} in Pacemaker's schema directory,
 * {@code /usr/share/pacemaker} on Debian), with Jing. {@code validate-with="none"} skips validation, as Pacemaker
 * does. Where the schema files are not installed, Vigil's own structural checks run instead (the element tree,
 * unique ids in the configuration, id references that resolve), and the result says which were used.
 *
 * <p>Errors name the element (its path, and line and column when the document came from a parse) and the
 * validator's reason. Compiled schemas are kept per name. Thread-safe.
 */
public final class CibValidator {

    /** Where Pacemaker installs its schemas. */
    public static final Path DEFAULT_SCHEMA_DIR = Path.of("/usr/share/pacemaker");
    private static final Pattern SCHEMA_NAME = Pattern.compile("pacemaker-\\d+\\.\\d+|pacemaker-next");
    private static final int MAX_ERRORS = 20;

    private final Path schemaDir;
    private final Map<String, Schema> schemas = new HashMap<>();

    /** One problem: where (element path, source position) and why. */
    public record Problem(String where, int line, int column, String reason) {
        @Override
        public String toString() {
            return (line > 0 ? "line " + line + (column > 0 ? ":" + column : "") + " " : "") + where + ": " + reason;
        }
    }

    /** The outcome: the problems (none if valid) and what checked them. */
    public record Result(List<Problem> problems, String checkedWith) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public CibValidator(Path schemaDir) {
        this.schemaDir = schemaDir;
    }

    /** A validator reading Pacemaker's installed schemas. */
    public static CibValidator standard() {
        return new CibValidator(DEFAULT_SCHEMA_DIR);
    }

    /** True if the RelaxNG schema for {@code validateWith} is installed. */
    public boolean hasSchema(String validateWith) {
        return validateWith != null && SCHEMA_NAME.matcher(validateWith).matches()
            && Files.isRegularFile(schemaDir.resolve(validateWith + ".rng"));
    }

    /** The newest {@code pacemaker-X.Y} schema installed, if any. */
    public Optional<String> newestSchema() {
        try (var files = Files.list(schemaDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("pacemaker-\\d+\\.\\d+\\.rng"))
                .map(n -> n.substring(0, n.length() - 4)).max(CibValidator::compareSchemaNames);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static int compareSchemaNames(String a, String b) {
        String[] x = a.substring("pacemaker-".length()).split("\\.");
        String[] y = b.substring("pacemaker-".length()).split("\\.");
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }

    /** Validates a whole {@code <cib>}. */
    public Result validate(XmlNode cib) {
        String with = cib.attribute("validate-with");
        if ("none".equals(with)) {
            return new Result(List.of(), "none (validate-with=\"none\")");
        }
        if (!cib.is("cib")) {
            return new Result(List.of(new Problem("/" + cib.name(), cib.line(), cib.column(),
                "the document element must be <cib>")), "Vigil's checks");
        }
        if (with != null && !SCHEMA_NAME.matcher(with).matches()) {
            return new Result(List.of(new Problem("/cib", cib.line(), cib.column(), "validate-with=\"" + with
                + "\" names no Pacemaker schema (expected pacemaker-X.Y, pacemaker-next or none)")), "Vigil's checks");
        }
        if (with != null && hasSchema(with)) {
            try {
                // Jing's ID/IDREF checking needs DTD-compatible schemas, which Pacemaker's are not (libxml2 does
                // not ask for it): unique ids and resolving references are checked by Vigil's id checks instead
                List<Problem> all = new ArrayList<>(relaxng(schema(with), cib));
                all.addAll(VigilChecks.ids(cib));
                return new Result(List.copyOf(all), with + ".rng (RelaxNG, " + schemaDir + ") and unique ids");
            } catch (IOException | SAXException | IncorrectSchemaException e) {
                // a broken schema installation: fall back rather than refuse everything
                List<Problem> own = VigilChecks.check(cib);
                if (Boolean.getBoolean("vigil.cib.debugSchema")) {
                    e.printStackTrace();
                }
                return new Result(own, "Vigil's checks (" + with + ".rng unusable: " + e + ")");
            }
        }
        return new Result(VigilChecks.check(cib), "Vigil's checks" + (with == null ? " (no validate-with)"
            : " (" + with + ".rng is not installed in " + schemaDir + ")"));
    }

    /**
     * Compiles the schema {@code validateWith} names now (Jing: 1 to 3 s on a loaded machine), so that the first
     * validation against it does not; false if there is none to compile (not installed, {@code none}, unusable).
     */
    public boolean prepare(String validateWith) {
        if (!hasSchema(validateWith)) {
            return false;
        }
        try {
            schema(validateWith);
            return true;
        } catch (IOException | SAXException | IncorrectSchemaException | RuntimeException e) {
            return false;   // validate() says why, when it is used
        }
    }

    private synchronized Schema schema(String name) throws IOException, SAXException, IncorrectSchemaException {
        Schema s = schemas.get(name);
        if (s == null) {
            Collector problems = new Collector();
            PropertyMapBuilder props = properties(problems);
            InputSource in = new InputSource(schemaDir.resolve(name + ".rng").toUri().toString());
            try {
                s = SAXSchemaReader.getInstance().createSchema(in, props.toPropertyMap());
            } catch (IncorrectSchemaException e) {
                throw new IOException("the schema is incorrect: " + problems.problems, e);
            }
            schemas.put(name, s);
        }
        return s;
    }

    private static PropertyMapBuilder properties(ErrorHandler errors) {
        PropertyMapBuilder b = new PropertyMapBuilder();
        b.put(ValidateProperty.ERROR_HANDLER, errors);
        b.put(ValidateProperty.XML_READER_CREATOR, new Jaxp11XMLReaderCreator());
        // explicit, so no ServiceLoader lookup is needed inside OSGi
        b.put(RngProperty.DATATYPE_LIBRARY_FACTORY, new DatatypeLibraryFactoryImpl(new RegexEngineImpl()));
        return b;
    }

    /** Collects validation errors, with the element path of each. */
    private static final class Collector implements ErrorHandler {
        final List<Problem> problems = new ArrayList<>();
        String where = "";

        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) {
            if (problems.size() < MAX_ERRORS) {
                problems.add(new Problem(where, Math.max(0, e.getLineNumber()), Math.max(0, e.getColumnNumber()),
                    e.getMessage()));
            }
        }

        @Override
        public void fatalError(SAXParseException e) {
            error(e);
        }
    }

    private static List<Problem> relaxng(Schema schema, XmlNode cib) throws SAXException {
        Collector errors = new Collector();
        Validator v = schema.createValidator(properties(errors).toPropertyMap());
        ContentHandler h = v.getContentHandler();
        Position pos = new Position();
        h.setDocumentLocator(pos);
        h.startDocument();
        feed(h, cib, "", errors, pos, new HashSet<>());
        h.endDocument();
        return List.copyOf(errors.problems);
    }

    private static void feed(ContentHandler h, XmlNode n, String parentPath, Collector errors, Position pos,
                             Set<String> unused) throws SAXException {
        String path = parentPath + "/" + n.name() + (n.id() != null ? "[@id='" + n.id() + "']" : "");
        errors.where = path;
        pos.line = n.line();
        pos.column = n.column();
        AttributesImpl attrs = new AttributesImpl();
        for (int i = 0; i < n.attributeCount(); i++) {
            attrs.addAttribute("", n.attributeName(i), n.attributeName(i), "CDATA", n.attributeValue(i));
        }
        h.startElement("", n.name(), n.name(), attrs);
        for (XmlNode c : n.children()) {
            feed(h, c, path, errors, pos, unused);
        }
        errors.where = path;
        pos.line = n.line();
        pos.column = n.column();
        h.endElement("", n.name(), n.name());
    }

    /** Positions of the element being fed, for the validator's messages. */
    private static final class Position implements Locator {
        int line;
        int column;

        @Override
        public String getPublicId() {
            return null;
        }

        @Override
        public String getSystemId() {
            return null;
        }

        @Override
        public int getLineNumber() {
            return line;
        }

        @Override
        public int getColumnNumber() {
            return column;
        }
    }
}
