package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlTest {

  @Test
  void postgresqlUrlGivesHostPortAndDatabaseWithoutItsParameters() {
    JdbcUrl url =
        JdbcUrl.parse("jdbc:postgresql://db.internal:6543/orders?user=app&password=secret");
    assertThat(url.system).isEqualTo("postgresql");
    assertThat(url.host).isEqualTo("db.internal");
    assertThat(url.port).isEqualTo(6543);
    assertThat(url.database).isEqualTo("orders");
    assertThat(url.url).isEqualTo("jdbc:postgresql://db.internal:6543/orders");

    JdbcUrl defaults = JdbcUrl.parse("jdbc:postgresql://localhost/");
    assertThat(defaults.port).isEqualTo(5432);
    assertThat(defaults.database).isNull();
  }

  @Test
  void credentialsInTheAuthorityNeverLeave() {
    JdbcUrl url = JdbcUrl.parse("jdbc:mysql://app:secret@primary:3307,replica/shop");
    assertThat(url.system).isEqualTo("mysql");
    assertThat(url.host).isEqualTo("primary");
    assertThat(url.port).isEqualTo(3307);
    assertThat(url.url)
        .doesNotContain("secret")
        .isEqualTo("jdbc:mysql://primary:3307,replica/shop");
  }

  @Test
  void embeddedAndOtherForms() {
    JdbcUrl mem = JdbcUrl.parse("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1;PASSWORD=x");
    assertThat(mem.system).isEqualTo("h2");
    assertThat(mem.host).isNull();
    assertThat(mem.database).isEqualTo("orders");
    assertThat(mem.url).isEqualTo("jdbc:h2:mem:orders");
    JdbcUrl tcp = JdbcUrl.parse("jdbc:h2:tcp://dbhost:9123/~/data/orders");
    assertThat(tcp.host).isEqualTo("dbhost");
    assertThat(tcp.port).isEqualTo(9123);
    assertThat(tcp.database).isEqualTo("orders");
    JdbcUrl sqlServer =
        JdbcUrl.parse("jdbc:sqlserver://sql\\inst:1444;databaseName=billing;password=x");
    assertThat(sqlServer.system).isEqualTo("mssql");
    assertThat(sqlServer.host).isEqualTo("sql");
    assertThat(sqlServer.database).isEqualTo("billing");
    assertThat(sqlServer.url).doesNotContain("password");
    assertThat(JdbcUrl.parse("jdbc:oracle:thin:app/secret@//h:1521/svc").url)
        .doesNotContain("secret");
    assertThat(JdbcUrl.parse(null).system).isEqualTo("other_sql");
    assertThat(JdbcUrl.parse("not a url").system).isEqualTo("other_sql");
  }
}
