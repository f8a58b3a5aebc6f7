package io.polarway.source.objectstore;

import io.polarway.api.StatsRecorder;
import io.polarway.error.Where;
import io.polarway.source.objectstore.ObjectStore.ListPage;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Resolves a location to the objects it names: one object ({@code HEAD}), or every object a glob or a trailing
 * {@code /} matches, listed page by page from the longest literal prefix and returned sorted by key, so the read
 * order is the same on every run and every store.
 */
final class ObjectLister {
    private ObjectLister() {
    }

    static List<ObjectInfo> resolve(ObjectStore store, ObjectLocation location, int pageSize, StatsRecorder stats) {
        if (!location.isPattern()) {
            try {
                return List.of(store.head(location.key()));
            } catch (Exception e) {
                throw StoreErrors.toPolarway(store, e, "cannot open " + location, Where.resource(location.toString()));
            }
        }
        String prefix = location.listPrefix();
        Pattern glob = Globs.hasGlob(location.key()) ? Globs.compile(location.key()) : null;
        List<ObjectInfo> out = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListPage page;
            try {
                page = store.list(prefix, token, pageSize);
            } catch (Exception e) {
                throw StoreErrors.toPolarway(store, e, "cannot list " + location.uriOf(prefix) + " (page "
                        + (pages + 1) + ")", Where.resource(location.uriOf(prefix)).withPage(pages + 1));
            }
            pages++;
            for (ObjectInfo o : page.objects()) {
                if (o.key().endsWith("/")) continue; // "directory" markers
                if (glob == null || glob.matcher(o.key()).matches()) out.add(o);
            }
            token = page.nextToken();
        } while (token != null);
        stats.count("list_pages", pages);
        out.sort(Comparator.comparing(ObjectInfo::key));
        if (out.isEmpty()) {
            throw new ObjectStoreException(store.system(), ObjectStoreException.Reason.NOT_FOUND,
                    "no object matches " + location, Where.resource(location.toString()), null);
        }
        return List.copyOf(out);
    }
}
