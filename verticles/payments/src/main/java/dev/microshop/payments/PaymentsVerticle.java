package dev.microshop.payments;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.request.Callers;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payments service: wallets and their ledger, and the order saga's charges and refunds (applied
 * once per message id and once per order). Owns the payments database. Handlers may throw a {@code
 * ServiceFailure} (401, 403, 400): the platform's consumers answer it as the failure.
 */
public class PaymentsVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentsVerticle.class);

  private Wallets wallets;
  private Charges charges;
  private Ledger ledger;
  private SimulatedProvider provider;

  public PaymentsVerticle(Platform platform) {
    super(platform);
  }

  /**
   * Fails with a {@code ConfigException} naming the first bad wallet or provider setting, so the
   * launcher can refuse it before anything starts.
   */
  public static void checkSettings(JsonObject config) {
    WalletConfig.from(config);
    ProviderConfig.from(config);
  }

  @Override
  public String service() {
    return Services.PAYMENTS;
  }

  @Override
  protected Future<?> startService() {
    // map() turns a bad wallet or provider setting into a failed deployment that names the key.
    return Future.succeededFuture(config())
        .map(ProviderConfig::from)
        .map(this::provider)
        .map(v -> WalletConfig.from(config()))
        .compose(this::serve);
  }

  private Void provider(ProviderConfig config) {
    if (config.enabled()) {
      LOG.info(
          "charges call the simulated provider: {} ms each, at most {} at once ({} charges/s)",
          config.latencyMs(),
          config.maxConcurrent(),
          Math.round(config.chargesPerSecond()));
      provider = new SimulatedProvider(config, ms -> vertx.timer(ms));
    }
    return null;
  }

  private Future<?> serve(WalletConfig config) {
    LOG.info("new wallets open with {} {}", config.openingBalanceMinor(), config.currency());
    wallets = new Wallets(pool, config);
    charges = new Charges(wallets);
    ledger = new Ledger(pool);
    return Future.all(
        consumers.on(PaymentsApi.WALLET, this::wallet),
        consumers.on(PaymentsApi.CREDIT, this::credit),
        consumers.on(PaymentsApi.TRANSACTIONS, this::transactions),
        answering(
            PaymentsApi.CHARGE,
            this::callProvider,
            (tx, body) -> charges.charge(tx, ChargeCommand.fromJson(body))),
        reliably(
            PaymentsApi.REFUND, (tx, body) -> charges.refund(tx, RefundCommand.fromJson(body))));
  }

  /**
   * A new charge waits for the provider before its transaction; a charge already decided (a
   * redelivery) is answered from the ledger without a second call.
   */
  private Future<?> callProvider(JsonObject body) {
    if (provider == null) {
      return Future.succeededFuture();
    }
    UUID order = ChargeCommand.fromJson(body).orderId();
    return charges
        .decided(pool, order)
        .compose(decided -> decided ? Future.succeededFuture() : provider.authorize(order));
  }

  /** The simulated provider, or null when {@code provider.enabled} is false. For tests. */
  SimulatedProvider simulatedProvider() {
    return provider;
  }

  private Future<JsonObject> wallet(Message<JsonObject> msg) {
    UUID caller = Callers.user(msg.headers());
    return wallets.get(caller).map(Wallet::toJson);
  }

  private Future<JsonObject> transactions(Message<JsonObject> msg) {
    UUID caller = Callers.user(msg.headers());
    return ledger.page(caller, LedgerPage.fromJson(msg.body()));
  }

  private Future<JsonObject> credit(Message<JsonObject> msg) {
    Identity admin = Callers.admin(msg.headers());
    CreditRequest request = CreditRequest.fromJson(msg.body());
    return wallets.credit(request, admin.userId()).map(Wallet::toJson);
  }
}
