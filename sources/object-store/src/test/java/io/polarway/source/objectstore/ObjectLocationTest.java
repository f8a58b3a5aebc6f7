package io.polarway.source.objectstore;

import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectLocationTest {

    @Test
    void parsesEachStoresLocations() {
        ObjectLocation s3 = ObjectLocation.parse("s3://bucket/a/b.csv", "s3");
        assertThat(s3).extracting(ObjectLocation::bucket, ObjectLocation::key).containsExactly("bucket", "a/b.csv");
        assertThat(s3.isPattern()).isFalse();
        assertThat(ObjectLocation.parse("s3a://b/k", "s3").scheme()).isEqualTo("s3");
        ObjectLocation az = ObjectLocation.parse("az://container/path/x.parquet", "az");
        assertThat(az.bucket()).isEqualTo("container");
        ObjectLocation https = ObjectLocation.parse("https://acct.blob.core.windows.net/cont/dir/x.csv", "az");
        assertThat(https).extracting(ObjectLocation::account, ObjectLocation::bucket, ObjectLocation::key)
                .containsExactly("acct", "cont", "dir/x.csv");
        assertThat(https.toString()).isEqualTo("az://cont/dir/x.csv");
        assertThat(ObjectLocation.parse("gs://bkt/k", "gs").toString()).isEqualTo("gs://bkt/k");
    }

    @Test
    void patterns() {
        ObjectLocation glob = ObjectLocation.parse("s3://b/logs/2024-*/part-?.csv", "s3");
        assertThat(glob.isPattern()).isTrue();
        assertThat(glob.listPrefix()).isEqualTo("logs/2024-");
        assertThat(ObjectLocation.parse("s3://b/dir/", "s3").isPattern()).isTrue();
        assertThat(ObjectLocation.parse("s3://b/dir/", "s3").listPrefix()).isEqualTo("dir/");
        assertThat(ObjectLocation.parse("s3://b/a\\*b", "s3").listPrefix()).isEqualTo("a*b");
    }

    @Test
    void refusesWrongSchemesAndCredentialsInTheUri() {
        assertThatThrownBy(() -> ObjectLocation.parse("gs://b/k", "s3")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("s3://");
        assertThatThrownBy(() -> ObjectLocation.parse("s3:///k", "s3")).hasMessageContaining("no bucket");
        assertThatThrownBy(() -> ObjectLocation.parse("https://acct.blob.core.windows.net/c/x?sv=1&sig=SECRETSIG", "az"))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("SECRETSIG")
                .hasMessageContaining("credentials");
        assertThatThrownBy(() -> ObjectLocation.parse("s3://AKIAKEY:SECRETKEY@b/k", "s3"))
                .hasMessageNotContaining("SECRETKEY");
        assertThatThrownBy(() -> ObjectLocation.parse("/local/file.csv", "s3")).isInstanceOf(ConfigException.class);
    }

    @Test
    void globsMatchWholeKeysSegmentBySegment() {
        var p = Globs.compile("logs/*.csv");
        assertThat(p.matcher("logs/a.csv").matches()).isTrue();
        assertThat(p.matcher("logs/sub/a.csv").matches()).isFalse();
        assertThat(p.matcher("logs/a.csv.gz").matches()).isFalse();
        assertThat(Globs.compile("logs/**.csv").matcher("logs/sub/a.csv").matches()).isTrue();
        assertThat(Globs.compile("p-?.{csv,tsv}").matcher("p-1.tsv").matches()).isTrue();
        assertThat(Globs.compile("p-[0-3].csv").matcher("p-4.csv").matches()).isFalse();
        assertThat(Globs.compile("p-[!0-3].csv").matcher("p-4.csv").matches()).isTrue();
        assertThat(Globs.compile("a.b").matcher("axb").matches()).isFalse();
        assertThat(Globs.hasGlob("a\\*b")).isFalse();
    }
}
