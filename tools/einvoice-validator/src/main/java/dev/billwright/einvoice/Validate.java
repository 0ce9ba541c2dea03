package dev.billwright.einvoice;

import com.helger.diver.api.coord.DVRCoordinate;
import com.helger.phive.api.execute.ValidationExecutionManager;
import com.helger.phive.api.executorset.IValidationExecutorSet;
import com.helger.phive.api.executorset.ValidationExecutorSetRegistry;
import com.helger.phive.api.result.ValidationResultList;
import com.helger.phive.api.validity.IValidityDeterminator;
import com.helger.phive.en16931.EN16931Validation;
import com.helger.phive.peppol.PeppolValidation;
import com.helger.phive.peppol.PeppolValidation2025_11;
import com.helger.phive.xml.source.IValidationSourceXML;
import com.helger.phive.xml.source.ValidationSourceXML;
import com.helger.phive.xrechnung.XRechnungValidation;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/**
 * Validates e-invoice XML files with the official rules phive ships compiled to XSLT: the
 * EN 16931 schematron (CEN), the XRechnung CIUS (KoSIT) and Peppol BIS Billing 3.0 (OpenPeppol),
 * each with its XML schema; and PDF files with veraPDF ("pdfa": the PDF/A part and level the file
 * claims, which must be 3). Arguments are pairs "rules file"; one JSON object per file is printed
 * on its own line: {"file":…,"rules":…,"set":…,"valid":…,"errors":[…],"warnings":[…]}.
 */
public final class Validate {
  private static final Map<String, DVRCoordinate> RULES =
      Map.ofEntries(
          Map.entry("en16931-cii", EN16931Validation.VID_CII_1315),
          Map.entry("en16931-ubl-invoice", EN16931Validation.VID_UBL_INVOICE_1315),
          Map.entry("en16931-ubl-credit-note", EN16931Validation.VID_UBL_CREDIT_NOTE_1315),
          Map.entry("xrechnung-cii", XRechnungValidation.VID_XRECHNUNG_CII_302),
          Map.entry("xrechnung-ubl-invoice", XRechnungValidation.VID_XRECHNUNG_UBL_INVOICE_302),
          Map.entry(
              "xrechnung-ubl-credit-note", XRechnungValidation.VID_XRECHNUNG_UBL_CREDITNOTE_302),
          Map.entry("peppol-invoice", PeppolValidation2025_11.VID_OPENPEPPOL_INVOICE_UBL_V3),
          Map.entry(
              "peppol-credit-note", PeppolValidation2025_11.VID_OPENPEPPOL_CREDIT_NOTE_UBL_V3));

  private Validate() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args.length % 2 != 0) {
      System.err.println("usage: Validate <rules> <file> [<rules> <file> …]; rules: " + RULES.keySet());
      System.exit(2);
    }
    ValidationExecutorSetRegistry<IValidationSourceXML> registry =
        new ValidationExecutorSetRegistry<>();
    EN16931Validation.initEN16931(registry);
    XRechnungValidation.initXRechnung(registry);
    PeppolValidation.initStandard(registry);
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    boolean allValid = true;
    for (int i = 0; i < args.length; i += 2) {
      String rules = args[i];
      File file = new File(args[i + 1]);
      List<String> errors = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      String set;
      try {
        set =
            rules.equals("pdfa")
                ? validatePdfA(file, errors)
                : validateXml(registry, factory, rules, file, errors, warnings);
      } catch (Exception e) {
        // A file that cannot even be read as what it claims to be is invalid, not a crash.
        set = rules;
        errors.add(e.toString());
      }
      allValid &= errors.isEmpty();
      System.out.println(
          "{\"file\":" + json(file.getPath())
              + ",\"rules\":" + json(rules)
              + ",\"set\":" + json(set)
              + ",\"valid\":" + errors.isEmpty()
              + ",\"errors\":" + jsonArray(errors)
              + ",\"warnings\":" + jsonArray(warnings) + "}");
    }
    System.exit(allValid ? 0 : 1);
  }

  private static String validateXml(
      ValidationExecutorSetRegistry<IValidationSourceXML> registry,
      DocumentBuilderFactory factory,
      String rules,
      File file,
      List<String> errors,
      List<String> warnings)
      throws Exception {
    DVRCoordinate wanted = RULES.get(rules);
    if (wanted == null) throw new IllegalArgumentException("unknown rules " + rules);
    // The Peppol rules change twice a year: the set in force today, of the artifact named.
    IValidationExecutorSet<IValidationSourceXML> set =
        rules.startsWith("peppol")
            ? registry.getLatestActiveVersion(
                wanted.getGroupID(), wanted.getArtifactID(), null, OffsetDateTime.now())
            : registry.getOfID(wanted);
    if (set == null) throw new IllegalStateException("no rule set " + wanted.getAsSingleID());
    Document document = factory.newDocumentBuilder().parse(file);
    ValidationResultList results =
        ValidationExecutionManager.executeValidation(
            IValidityDeterminator.createDefault(),
            set,
            ValidationSourceXML.create(file.getPath(), document),
            Locale.ENGLISH);
    results.forEachFlattened(
        error ->
            (error.isError() ? errors : warnings)
                .add(
                    (error.getErrorID() == null ? "" : error.getErrorID() + " ")
                        + error.getErrorText(Locale.ENGLISH)
                        + (error.getErrorFieldName() == null
                            ? ""
                            : " at " + error.getErrorFieldName())));
    return set.getID().getAsSingleID();
  }

  /** veraPDF against the PDF/A flavour the file claims; anything but PDF/A-3 is an error. */
  private static String validatePdfA(File file, List<String> errors) throws Exception {
    VeraGreenfieldFoundryProvider.initialise();
    try (InputStream in = new FileInputStream(file);
        PDFAParser parser = Foundries.defaultInstance().createParser(in)) {
      PDFAFlavour flavour = parser.getFlavour();
      if (flavour.getPart() != PDFAFlavour.Specification.ISO_19005_3) {
        errors.add("the PDF claims " + flavour + ", not PDF/A-3");
      }
      try (PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
        org.verapdf.pdfa.results.ValidationResult result = validator.validate(parser);
        for (TestAssertion assertion : result.getTestAssertions()) {
          if (assertion.getStatus() == TestAssertion.Status.FAILED) {
            errors.add(assertion.getRuleId().getClause() + "-" + assertion.getRuleId().getTestNumber() + " " + assertion.getMessage());
          }
        }
        if (!result.isCompliant() && errors.isEmpty()) errors.add("not compliant");
      }
      return "veraPDF PDF/A-" + flavour.getId();
    }
  }

  private static String jsonArray(List<String> items) {
    StringBuilder out = new StringBuilder("[");
    for (String item : items) {
      if (out.length() > 1) out.append(',');
      out.append(json(item));
    }
    return out.append(']').toString();
  }

  private static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
