package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTest {

  @Test
  void literalsAreReplacedAndIdentifiersKept() {
    assertThat(
            Sql.sanitize(
                "SELECT * FROM orders WHERE id = 42 AND name = 'O''Brien' AND price > -1.5e3"))
        .isEqualTo("SELECT * FROM orders WHERE id = ? AND name = ? AND price > -?");
    assertThat(Sql.sanitize("insert into t1 (c_2, \"Col 3\") values (0x1F, X'0a', TRUE, $1, ?)"))
        .isEqualTo("insert into t1 (c_2, \"Col 3\") values (?, ?, ?, $1, ?)");
    assertThat(Sql.sanitize("SELECT $$it's a secret$$, $tag$x$tag$ FROM t"))
        .isEqualTo("SELECT ?, ? FROM t");
    assertThat(Sql.sanitize("SELECT 'a\\'b' FROM `t`")).isEqualTo("SELECT ? FROM `t`");
    assertThat(Sql.sanitize("SELECT 1 -- note 5\n/* 7 */ FROM [dbo].[t]"))
        .isEqualTo("SELECT ? -- note 5\n/* 7 */ FROM [dbo].[t]");
  }

  @Test
  void hostileTextNeverThrowsAndIsBounded() {
    assertThat(Sql.sanitize("SELECT 'unterminated")).isEqualTo("SELECT ?");
    assertThat(Sql.sanitize("SELECT $a$ never closed")).isEqualTo("SELECT ?");
    assertThat(Sql.sanitize("/* open")).isEqualTo("/* open");
    assertThat(Sql.sanitize("x".repeat(10_000))).hasSize(Sql.MAX_LENGTH);
    assertThat(Sql.sanitize("")).isEmpty();
    assertThat(Sql.sanitize(null)).isNull();
  }

  @Test
  void operationIsTheFirstKeyword() {
    assertThat(Sql.operation("  select 1")).isEqualTo("SELECT");
    assertThat(Sql.operation("/* hint */ (SELECT 1)")).isEqualTo("SELECT");
    assertThat(Sql.operation("-- c\nINSERT INTO t VALUES (1)")).isEqualTo("INSERT");
    assertThat(Sql.operation("{call proc(?)}")).isEqualTo("CALL");
    assertThat(Sql.operation("WITH x AS (SELECT 1) SELECT * FROM x")).isEqualTo("WITH");
    assertThat(Sql.operation("")).isNull();
    assertThat(Sql.operation("123")).isNull();
  }
}
