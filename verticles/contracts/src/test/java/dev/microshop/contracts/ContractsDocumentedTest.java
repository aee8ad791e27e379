package dev.microshop.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml documents the event bus as openapi.yaml documents HTTP: this keeps it true.
 * Every address the contracts define is a channel there, and every channel there is an address of
 * the contracts.
 */
class ContractsDocumentedTest {
  private static final Path ASYNCAPI = Path.of("..", "..", "docs", "asyncapi.yaml");
  private static final Pattern ADDRESS =
      Pattern.compile("^\\s+address: \"([^\"]+)\"$", Pattern.MULTILINE);
  private static final Pattern MESSAGE_NAME =
      Pattern.compile("^\\s+name: (\\S+)$", Pattern.MULTILINE);

  @Test
  void everyAddressOfTheContractsIsAChannelOfTheAsyncApiDocumentAndViceVersa() throws Exception {
    Set<String> documented = matches(ADDRESS, Files.readString(ASYNCAPI));

    assertThat(documented).containsExactlyInAnyOrderElementsOf(addressesOfTheContracts());
  }

  @Test
  void everySagaResultIsADocumentedMessage() throws Exception {
    Set<String> names = matches(MESSAGE_NAME, Files.readString(ASYNCAPI));

    for (SagaResult.Kind kind : SagaResult.Kind.values()) {
      assertThat(names).as("message %s", kind).contains(kind.type());
    }
  }

  private static Set<String> addressesOfTheContracts() throws IllegalAccessException {
    Set<String> addresses = new TreeSet<>();
    for (Class<?> api :
        new Class<?>[] {
          UsersApi.class,
          InventoryApi.class,
          OrdersApi.class,
          PaymentsApi.class,
          NotificationsApi.class,
          Events.class
        }) {
      for (Field field : api.getFields()) {
        boolean constant =
            Modifier.isStatic(field.getModifiers()) && field.getType() == String.class;
        if (constant
            && !field.getName().endsWith("_PATTERN")
            && !field.getName().endsWith("_METRIC_NAME")) {
          addresses.add((String) field.get(null));
        }
      }
    }
    Events.SUBSCRIBERS.forEach(
        (event, subscribers) ->
            subscribers.forEach(s -> addresses.add(Events.deliveryAddress(s, event))));
    addresses.add(Addresses.describe("{service}"));
    addresses.add(Addresses.ping("{instanceId}"));
    addresses.add(InventoryApi.invalidate("{instanceId}"));
    addresses.add(NotificationsApi.stream("{userId}"));
    addresses.add(OutboxApi.deadLetters("{service}"));
    addresses.add(OutboxApi.redrive("{service}"));
    addresses.add(OutboxApi.stats("{service}"));
    addresses.add(RelayBatch.address("{address}"));
    return addresses;
  }

  private static Set<String> matches(Pattern pattern, String text) {
    Set<String> found = new TreeSet<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }
}
