"""Colour science for checking the band palette: CIELAB, CIEDE2000 colour difference, and the
simulation of colour-vision deficiency.

References
----------
.. [1] Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009). A physiologically-based
   model for simulation of color vision deficiency. *IEEE Transactions on Visualization and
   Computer Graphics* 15(6), 1291–1298 (the severity-1.0 matrices, applied to linear RGB).
.. [2] Sharma, G., Wu, W. & Dalal, E. N. (2005). The CIEDE2000 color-difference formula:
   implementation notes, supplementary test data, and mathematical observations.
   *Color Research & Application* 30(1), 21–30.
.. [3] IEC 61966-2-1:1999, sRGB (transfer function; D65 white, XYZ matrix).
"""
from __future__ import annotations

from typing import Any, Sequence

import matplotlib as mpl
import numpy as np

__all__ = ["CVD_MATRICES", "simulate_cvd", "srgb_to_lab", "ciede2000"]

#: Machado et al. (2009) simulation matrices at severity 1.0 (dichromacy), on linear RGB.
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}

_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = _XYZ @ np.ones(3)


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _encoded(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def _rgb(colours: Sequence[Any]) -> np.ndarray:
    return np.array([mpl.colors.to_rgb(c) for c in colours], dtype=float)


def simulate_cvd(colours: Sequence[Any], kind: str) -> np.ndarray:
    """How ``colours`` look to a dichromat: sRGB (0–1 rows) after Machado et al.'s (2009)
    severity-1.0 matrix for ``kind`` ("protanopia", "deuteranopia", "tritanopia"), applied to
    linear RGB and clipped to the gamut."""
    return _encoded(_linear(_rgb(colours)) @ CVD_MATRICES[kind].T)


def srgb_to_lab(rgb: Any) -> np.ndarray:
    """CIELAB (D65) of sRGB rows in 0–1 (or matplotlib colours)."""
    arr = np.asarray(rgb, dtype=float) if not isinstance(rgb[0], str) else _rgb(rgb)
    xyz = (_linear(np.atleast_2d(arr)) @ _XYZ.T) / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


def ciede2000(lab1: Any, lab2: Any) -> np.ndarray:
    """CIEDE2000 colour difference ΔE₀₀ between CIELAB rows (k_L = k_C = k_H = 1), as
    implemented and tested by Sharma, Wu & Dalal (2005)."""
    L1, a1, b1 = np.atleast_2d(np.asarray(lab1, dtype=float)).T
    L2, a2, b2 = np.atleast_2d(np.asarray(lab2, dtype=float)).T
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar ** 7 / (cbar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    Lbar, cbarp = (L1 + L2) / 2, (c1p + c2p) / 2
    hsum = h1p + h2p
    hbar = np.where(c1p * c2p == 0, hsum,
                    np.where(np.abs(h1p - h2p) <= 180, hsum / 2,
                             np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2)))
    t = (1 - 0.17 * np.cos(np.radians(hbar - 30)) + 0.24 * np.cos(np.radians(2 * hbar))
         + 0.32 * np.cos(np.radians(3 * hbar + 6)) - 0.20 * np.cos(np.radians(4 * hbar - 63)))
    sl = 1 + 0.015 * (Lbar - 50) ** 2 / np.sqrt(20 + (Lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = (-2 * np.sqrt(cbarp ** 7 / (cbarp ** 7 + 25.0 ** 7))
          * np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2)))))
    return np.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dCp / sc) * (dHp / sh))
