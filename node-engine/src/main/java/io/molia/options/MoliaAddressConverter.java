package io.molia.options;

import io.molia.node.MoliaAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A peer's {@code molia://<key>@host:port} address. */
public final class MoliaAddressConverter implements ITypeConverter<MoliaAddress> {
    @Override
    public MoliaAddress convert(String text) {
        try {
            return MoliaAddress.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
