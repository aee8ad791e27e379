package dev.microshop.gateway;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The route table: every operation of the contract, the checks that run before it (token, then
 * validation), and the handler of each operationId.
 */
final class OperationRoutes {
  private final Vertx vertx;
  private final OpenAPIContract contract;
  private final Calls calls;
  private final StatusReport status;
  private final NotificationRoutes notifications;
  private final LastKnownCopies catalogCopies;
  private final OpsRoutes ops;

  OperationRoutes(
      Vertx vertx,
      OpenAPIContract contract,
      Calls calls,
      StatusReport status,
      NotificationRoutes notifications,
      LastKnownCopies catalogCopies,
      OpsRoutes ops) {
    this.vertx = vertx;
    this.contract = contract;
    this.calls = calls;
    this.status = status;
    this.notifications = notifications;
    this.catalogCopies = catalogCopies;
    this.ops = ops;
  }

  /** The router of the contract's operations, bodies limited to {@code bodyLimitBytes}. */
  Router router(long bodyLimitBytes) {
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
            .rootHandler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes));
    guard(builder);
    bind(builder);
    return builder.createRouter();
  }

  /**
   * Tokens are verified by TokenVerifier (with checks the generic handler lacks) first, so a caller
   * without a valid token learns nothing about the contract but 401; then requests are validated on
   * the event loop (see InlineValidation) before any other handler runs.
   */
  private void guard(RouterBuilder builder) {
    InlineValidation validation = new InlineValidation(vertx, contract);
    builder
        .getRoutes()
        .forEach(
            route -> {
              route.setDoSecurity(false).setDoValidation(false);
              if (!route.getOperation().getSecurityRequirements().isEmpty()) {
                route.addHandler(
                    ctx ->
                        calls
                            .authenticated(ctx)
                            .onSuccess(identity -> ctx.next())
                            .onFailure(ctx::fail));
              }
              route.addHandler(validation.handler(route.getOperation()));
            });
  }

  private void bind(RouterBuilder builder) {
    AccountRoutes accounts = new AccountRoutes(calls);
    CatalogRoutes catalog = new CatalogRoutes(calls, catalogCopies);
    WalletRoutes wallets = new WalletRoutes(calls);
    OrderRoutes orders = new OrderRoutes(calls);
    AdminRoutes admin = new AdminRoutes(calls);
    builder
        .getRoute("getStatus")
        .addHandler(
            ctx ->
                Calls.respond(
                    ctx,
                    200,
                    calls
                        .status(ctx)
                        .compose(byAdmin -> byAdmin ? status.full() : status.summary())));
    builder.getRoute("registerUser").addHandler(accounts::register);
    builder.getRoute("issueToken").addHandler(accounts::token);
    builder.getRoute("getMe").addHandler(accounts::me);
    builder.getRoute("listProducts").addHandler(catalog::list);
    builder.getRoute("getProduct").addHandler(catalog::get);
    builder.getRoute("getProductV2").addHandler(catalog::getV2);
    builder.getRoute("createProduct").addHandler(catalog::create);
    builder.getRoute("updateProduct").addHandler(catalog::update);
    builder.getRoute("adjustStock").addHandler(catalog::adjustStock);
    builder.getRoute("getWallet").addHandler(wallets::get);
    builder.getRoute("creditWallet").addHandler(wallets::credit);
    builder.getRoute("listTransactions").addHandler(wallets::transactions);
    builder.getRoute("placeOrder").addHandler(orders::place);
    builder.getRoute("listOrders").addHandler(orders::list);
    builder.getRoute("getOrder").addHandler(orders::get);
    builder.getRoute("cancelOrder").addHandler(orders::cancel);
    builder.getRoute("listNotifications").addHandler(notifications::list);
    builder.getRoute("streamNotifications").addHandler(notifications::stream);
    builder.getRoute("listDeadLetters").addHandler(admin::deadLetters);
    builder.getRoute("redriveDeadLetter").addHandler(admin::redrive);
    builder.getRoute("outboxStats").addHandler(admin::stats);
    builder.getRoute("getOpsSnapshot").addHandler(ops::snapshot);
    builder.getRoute("streamOps").addHandler(ops::stream);
  }
}
